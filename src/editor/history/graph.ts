/**
 * @file The turn tree laid out as a commit graph for the history list. One row per turn, depth-first with
 * children under their parent in creation order; each turn sits in a lane (a column of the graph). A turn's first
 * child continues its parent's line; every later child starts a branch whose line forks off at the parent's row
 * and runs in the leftmost lane that is free from there down to the child. So a line never crosses another turn's
 * dot, siblings fan out from the same dot instead of looking like a chain, and a lane is reused once the line in it
 * has ended (no staircase).
 */
import { getPath } from './tree';
import type { HistoryTree } from './types';

/** A line of the graph: the lane it runs in and the branch it belongs to (which picks its colour). */
export interface GraphLine {
  lane: number;
  branch: number;
  /** The line leads to a turn on the way from the opened image to the shown one. */
  onPath: boolean;
}

export interface GraphRow {
  id: string;
  parentId: string | null;
  /** The turn number: 0 for the opened image, n for the n-th edit on the way from it. */
  depth: number;
  lane: number;
  /**
   * The line of first children this turn is on: 0 is the main line from the opened image, 1, 2, … are branches
   * in the order they appear in the list.
   */
  branch: number;
  /** True on the first turn of a branch (its parent has an earlier child): the line forks off at the parent. */
  branchStart: boolean;
  /** Where this turn is among its parent's children (1-based), and how many there are: variations are siblings. */
  sibling: { index: number; count: number };
  onCurrentPath: boolean;
  /** Lines that pass through this row on their way from a turn above to a turn below. */
  through: GraphLine[];
  /** Lines from this turn down to its children: the first in its own lane, branches curving out to theirs. */
  children: GraphLine[];
}

export interface TreeGraph {
  rows: GraphRow[];
  /** How many lanes the widest row uses (the graph's width). */
  lanes: number;
}

/** A lane's reservations: half-open row ranges (from, to] that an edge from row `from` to row `to` occupies. */
type Reservations = [number, number][][];

const isFree = (lanes: Reservations, lane: number, from: number, to: number): boolean =>
  (lanes[lane] ?? []).every(([a, b]) => b <= from || a >= to);

function reserve(lanes: Reservations, lane: number, from: number, to: number): void {
  (lanes[lane] ??= []).push([from, to]);
}

/** The turns in list order: depth-first, children in creation order (no recursion: chains can be long). */
function depthFirst(tree: HistoryTree): string[] {
  const order: string[] = [];
  const stack = [tree.rootId];
  while (stack.length) {
    const id = stack.pop()!;
    order.push(id);
    const children = tree.nodes[id]!.childIds;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return order;
}

/** Lays the tree out as rows of a commit graph (see the file comment). */
export function layoutGraph(tree: HistoryTree): TreeGraph {
  const order = depthFirst(tree);
  const rowOf = new Map(order.map((id, i) => [id, i]));
  const onPath = new Set(getPath(tree, tree.currentId).map((n) => n.id));
  const reservations: Reservations = [];
  const rows: GraphRow[] = order.map((id) => {
    const node = tree.nodes[id]!;
    const siblings = node.parentId ? tree.nodes[node.parentId]!.childIds : [id];
    return {
      id,
      parentId: node.parentId,
      depth: 0,
      lane: 0,
      branch: 0,
      branchStart: false,
      sibling: { index: siblings.indexOf(id) + 1, count: siblings.length },
      onCurrentPath: onPath.has(id),
      through: [],
      children: [],
    };
  });
  // An edge is placed when its child's row is reached, so the edges that end first (the inner ones) take the inner
  // lanes and a fork never has to cross a line that runs further down.
  for (const [to, row] of rows.entries()) {
    if (row.parentId === null) continue;
    const parent = rows[rowOf.get(row.parentId)!]!;
    const from = rowOf.get(parent.id)!;
    row.branchStart = tree.nodes[parent.id]!.childIds[0] !== row.id;
    row.lane = parent.lane;
    if (row.branchStart) {
      row.lane = 0;
      while (!isFree(reservations, row.lane, from, to)) row.lane++;
    }
    reserve(reservations, row.lane, from, to);
  }
  // Numbers and names follow the list, top to bottom; a parent's row always comes before its children's.
  let branches = 0;
  for (const row of rows) {
    const parent = row.parentId ? rows[rowOf.get(row.parentId)!]! : null;
    row.depth = parent ? parent.depth + 1 : 0;
    row.branch = row.branchStart ? ++branches : (parent?.branch ?? 0);
  }
  // Lines are drawn once every lane and branch is known.
  for (const [from, row] of rows.entries()) {
    for (const childId of tree.nodes[row.id]!.childIds) {
      const to = rowOf.get(childId)!;
      const line = { lane: rows[to]!.lane, branch: rows[to]!.branch, onPath: rows[to]!.onCurrentPath };
      row.children.push(line);
      for (let r = from + 1; r < to; r++) rows[r]!.through.push(line);
    }
  }
  const lanes = 1 + rows.reduce((max, r) => Math.max(max, r.lane), 0);
  return { rows, lanes };
}

/** A branch's short name for labels: A, B, … Z, AA, AB, … (the main line, 0, has none). */
export function branchName(branch: number): string {
  let name = '';
  for (let n = branch; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}
