import { describe, expect, it } from 'vitest';
import {
  addTurn,
  canRedo,
  canUndo,
  createTree,
  deleteBranch,
  getDepth,
  getImageRefs,
  getPath,
  redo,
  selectTurn,
  undo,
  validateTree,
} from './tree';
import type { HistoryTree, NewTurn, TurnNode } from './types';

const turn = (id: string, instruction = `edit ${id}`): NewTurn => ({
  id,
  createdAt: 0,
  image: { id: `img-${id}`, width: 8, height: 8 },
  source: '',
  instruction,
  params: { steps: 4, guidance: 2.5, seed: 1, size: 'input' },
  mask: null,
  references: [],
  timing: null,
  model: null,
});

/** The turn `id` of `t`; fails the test when it is missing. */
function nodeOf(t: HistoryTree, id: string): TurnNode {
  const node = t.nodes[id];
  if (!node) throw new Error(`the tree has no turn ${id}`);
  return node;
}

/** root → a → b → c, then a branch d from a (current = d). */
function sampleTree(): HistoryTree {
  let t = createTree({ ...turn('root', ''), params: null });
  t = addTurn(t, 'root', turn('a'));
  t = addTurn(t, 'a', turn('b'));
  t = addTurn(t, 'b', turn('c'));
  return addTurn(t, 'a', turn('d'));
}

describe('history tree', () => {
  it('adds turns as children and makes them current', () => {
    const t = sampleTree();
    expect(t.currentId).toBe('d');
    expect(nodeOf(t, 'a').childIds).toEqual(['b', 'd']);
    expect(getPath(t, 'c').map((n) => n.id)).toEqual(['root', 'a', 'b', 'c']);
    expect(getDepth(t, 'c')).toBe(3);
    expect(validateTree(t)).toEqual([]);
  });

  it('never mutates the tree it was given', () => {
    const t = sampleTree();
    const before = JSON.stringify(t);
    addTurn(t, 'c', turn('e'));
    undo(t);
    deleteBranch(t, 'b');
    expect(JSON.stringify(t)).toBe(before);
  });

  it('undo walks to the parent and redo comes back down the same branch', () => {
    let t = sampleTree();
    expect(canRedo(t)).toBe(false);
    t = undo(t);
    expect(t.currentId).toBe('a');
    t = redo(t);
    expect(t.currentId).toBe('d'); // the branch we came from, not the first child
    t = selectTurn(t, 'c');
    t = undo(undo(undo(t)));
    expect(t.currentId).toBe('root');
    expect(canUndo(t)).toBe(false);
    expect(undo(t)).toBe(t);
    t = redo(redo(redo(t)));
    expect(t.currentId).toBe('c'); // selecting c re-pointed redo along root → a → b → c
    expect(redo(t)).toBe(t);
  });

  it('deletes a branch, moving the current turn up when it was inside', () => {
    let t = selectTurn(sampleTree(), 'c');
    t = deleteBranch(t, 'b');
    expect(Object.keys(t.nodes).sort()).toEqual(['a', 'd', 'root']);
    expect(t.currentId).toBe('a');
    expect(nodeOf(t, 'a').childIds).toEqual(['d']);
    expect(validateTree(t)).toEqual([]);
    expect(() => deleteBranch(t, 'root')).toThrow(/cannot be deleted/);
  });

  it('collects every image, mask and reference it refers to', () => {
    const t = addTurn(sampleTree(), 'd', {
      ...turn('e'),
      mask: { id: 'm', width: 8, height: 8 },
      references: [{ id: 'r1', width: 4, height: 4 }],
    });
    expect(
      getImageRefs(t)
        .map((r) => r.id)
        .sort(),
    ).toEqual(['img-a', 'img-b', 'img-c', 'img-d', 'img-e', 'img-root', 'm', 'r1']);
  });

  it('finds broken links in an untrusted tree', () => {
    const t = sampleTree();
    expect(validateTree({ ...t, currentId: 'zz' })).toContain('the current turn is missing');
    const orphan = { ...t, nodes: { ...t.nodes, x: { ...nodeOf(t, 'd'), id: 'x', parentId: 'nope' } } };
    expect(validateTree(orphan).join()).toMatch(/x is not listed by its parent/);
    const cycle = {
      ...t,
      nodes: {
        ...t.nodes,
        p: { ...nodeOf(t, 'd'), id: 'p', parentId: 'q', childIds: ['q'] },
        q: { ...nodeOf(t, 'd'), id: 'q', parentId: 'p', childIds: ['p'] },
      },
    };
    expect(validateTree(cycle).join()).toMatch(/not reachable from the root/);
    expect(validateTree(null as unknown as HistoryTree)).toEqual(['the tree has no nodes']);
  });
});
