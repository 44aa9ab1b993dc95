/**
 * @file The turn tree as pure functions: add, select, undo/redo walk, delete, validation (graph.ts lays it out).
 * Editing from a node that already has children starts a branch; nothing is ever overwritten.
 */
import type { HistoryTree, ImageRef, NewTurn, TurnNode } from './types';

function assertNode(tree: HistoryTree, id: string): TurnNode {
  const node = tree.nodes[id];
  if (!node) throw new Error(`turn ${id} is not in the tree`);
  return node;
}

/** A tree holding only the opened image. */
export function createTree(root: NewTurn): HistoryTree {
  return {
    rootId: root.id,
    currentId: root.id,
    nodes: { [root.id]: { ...root, parentId: null, childIds: [] } },
    redoTo: {},
  };
}

/** Adds `turn` as the newest child of `parentId` and makes it current (a branch when the parent had children). */
export function addTurn(tree: HistoryTree, parentId: string, turn: NewTurn): HistoryTree {
  const parent = assertNode(tree, parentId);
  if (tree.nodes[turn.id]) throw new Error(`turn ${turn.id} already exists`);
  const nodes = {
    ...tree.nodes,
    [parentId]: { ...parent, childIds: [...parent.childIds, turn.id] },
    [turn.id]: { ...turn, parentId, childIds: [] },
  };
  return selectTurn({ ...tree, nodes }, turn.id);
}

/** The nodes from the root down to `id`, root first. */
export function getPath(tree: HistoryTree, id: string): TurnNode[] {
  const path: TurnNode[] = [];
  for (
    let node: TurnNode | undefined = assertNode(tree, id);
    node;
    node = node.parentId ? tree.nodes[node.parentId] : undefined
  ) {
    path.unshift(node);
  }
  return path;
}

/** Shows `id`; redo from any of its ancestors will now walk back towards it. */
export function selectTurn(tree: HistoryTree, id: string): HistoryTree {
  const path = getPath(tree, id);
  const redoTo = { ...tree.redoTo };
  for (let i = 0; i + 1 < path.length; i++) redoTo[path[i]!.id] = path[i + 1]!.id;
  return { ...tree, currentId: id, redoTo };
}

export const canUndo = (tree: HistoryTree): boolean => tree.nodes[tree.currentId]!.parentId !== null;
export const canRedo = (tree: HistoryTree): boolean => tree.nodes[tree.currentId]!.childIds.length > 0;

/** Steps to the current node's parent (the redo pointer keeps the way back). */
export function undo(tree: HistoryTree): HistoryTree {
  const parentId = tree.nodes[tree.currentId]!.parentId;
  return parentId === null
    ? tree
    : { ...tree, currentId: parentId, redoTo: { ...tree.redoTo, [parentId]: tree.currentId } };
}

/** Steps down to the child last created or visited (else the newest child). */
export function redo(tree: HistoryTree): HistoryTree {
  const node = tree.nodes[tree.currentId]!;
  const next = tree.redoTo[node.id] ?? node.childIds[node.childIds.length - 1];
  return next && node.childIds.includes(next) ? { ...tree, currentId: next } : tree;
}

/** The turn number of a node: 0 for the opened image, 1 for its first edit, … */
export const getDepth = (tree: HistoryTree, id: string): number => getPath(tree, id).length - 1;

/** Every node below `id` (inclusive). */
export function getSubtree(tree: HistoryTree, id: string): TurnNode[] {
  const out: TurnNode[] = [];
  const walk = (n: string) => {
    out.push(tree.nodes[n]!);
    tree.nodes[n]!.childIds.forEach(walk);
  };
  walk(assertNode(tree, id).id);
  return out;
}

/** Removes a branch (never the root); the current node moves to its parent when it was inside. */
export function deleteBranch(tree: HistoryTree, id: string): HistoryTree {
  const node = assertNode(tree, id);
  if (node.parentId === null) throw new Error('the opened image cannot be deleted; delete the session instead');
  const removed = new Set(getSubtree(tree, id).map((n) => n.id));
  const nodes: Record<string, TurnNode> = {};
  for (const [k, n] of Object.entries(tree.nodes)) if (!removed.has(k)) nodes[k] = n;
  const parent = nodes[node.parentId]!;
  nodes[parent.id] = { ...parent, childIds: parent.childIds.filter((c) => c !== id) };
  const redoTo = Object.fromEntries(Object.entries(tree.redoTo).filter(([k, v]) => !removed.has(k) && !removed.has(v)));
  return { ...tree, nodes, redoTo, currentId: removed.has(tree.currentId) ? parent.id : tree.currentId };
}

/** Every stored image a tree refers to (results, masks, references). */
export function getImageRefs(tree: HistoryTree): ImageRef[] {
  const refs = new Map<string, ImageRef>();
  for (const n of Object.values(tree.nodes))
    for (const r of [n.image, n.mask, ...n.references]) if (r) refs.set(r.id, r);
  return [...refs.values()];
}

/**
 * Checks that a tree (e.g. from an imported file) is well formed: one root, parent and child links agree,
 * no cycles, current and redo pointers exist.
 * @returns the problems found; empty when the tree is sound.
 */
export function validateTree(tree: HistoryTree): string[] {
  const problems: string[] = [];
  if (!tree || typeof tree !== 'object' || typeof tree.nodes !== 'object' || tree.nodes === null)
    return ['the tree has no nodes'];
  const ids = Object.keys(tree.nodes);
  const root = tree.nodes[tree.rootId];
  if (!root || root.parentId !== null) problems.push('the root is missing or has a parent');
  if (!tree.nodes[tree.currentId]) problems.push('the current turn is missing');
  for (const id of ids) {
    const n = tree.nodes[id]!;
    if (n.id !== id) problems.push(`turn ${id} is stored under another id`);
    if (!n.image || typeof n.image.id !== 'string') problems.push(`turn ${id} has no image`);
    if (n.parentId !== null && !tree.nodes[n.parentId]?.childIds.includes(id))
      problems.push(`turn ${id} is not listed by its parent`);
    for (const c of n.childIds ?? [])
      if (tree.nodes[c]?.parentId !== id) problems.push(`turn ${id} lists ${c} as a child, but it is not`);
  }
  if (root && problems.length === 0) {
    const reached = new Set(getSubtree(tree, tree.rootId).map((n) => n.id));
    if (reached.size !== ids.length)
      problems.push(`${ids.length - reached.size} turns are not reachable from the root`);
  }
  for (const [k, v] of Object.entries(tree.redoTo ?? {}))
    if (!tree.nodes[k] || !tree.nodes[v]) problems.push(`redo pointer ${k} → ${v} is dangling`);
  return problems;
}
