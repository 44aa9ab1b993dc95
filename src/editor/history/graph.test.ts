import { describe, expect, it } from 'vitest';
import { branchName, layoutGraph, type GraphLine, type TreeGraph } from './graph';
import { addTurn, createTree, selectTurn } from './tree';
import type { HistoryTree, NewTurn } from './types';

const turn = (id: string): NewTurn => ({
  id,
  createdAt: 0,
  image: { id: `img-${id}`, width: 8, height: 8 },
  source: '',
  instruction: `edit ${id}`,
  params: null,
  mask: null,
  references: [],
  timing: null,
  model: null,
});

/** A tree from [child, parent] pairs, in creation order. */
function build(edges: [string, string][]): HistoryTree {
  let t = createTree(turn('root'));
  for (const [id, parent] of edges) t = addTurn(t, parent, turn(id));
  return t;
}

/** Compact rows for assertions: id, turn number, lane, branch. */
const summary = (g: TreeGraph) => g.rows.map((r) => [r.id, r.depth, r.lane, r.branch]);

/** The lines of a row without their highlight, for layout assertions. */
const lines = (l: GraphLine[]) => l.map(({ lane, branch }) => ({ lane, branch }));

/** Every lane a row draws in: its own dot, lines passing through, lines leaving it. */
function checkNoCollisions(g: TreeGraph): void {
  g.rows.forEach((row, i) => {
    const passing = row.through.map((l) => l.lane);
    expect(new Set(passing).size, `row ${i}: two lines in one lane`).toBe(passing.length);
    expect(passing, `row ${i}: a line runs through the dot of ${row.id}`).not.toContain(row.lane);
    // A line leaving this row must not share its lane with one that passes through it.
    for (const c of row.children) expect(passing).not.toContain(c.lane);
  });
}

describe('history graph layout', () => {
  it('a chain is one straight line: turns numbered by depth, one lane', () => {
    const g = layoutGraph(
      build([
        ['a', 'root'],
        ['b', 'a'],
        ['c', 'b'],
      ]),
    );
    expect(summary(g)).toEqual([
      ['root', 0, 0, 0],
      ['a', 1, 0, 0],
      ['b', 2, 0, 0],
      ['c', 3, 0, 0],
    ]);
    expect(g.lanes).toBe(1);
    expect(g.rows.every((r) => !r.branchStart && r.through.length === 0)).toBe(true);
  });

  it('three variations of the original are siblings fanning out from it, not a chain', () => {
    const g = layoutGraph(
      build([
        ['v1', 'root'],
        ['v2', 'root'],
        ['v3', 'root'],
      ]),
    );
    expect(summary(g)).toEqual([
      ['root', 0, 0, 0],
      ['v1', 1, 0, 0],
      ['v2', 1, 1, 1],
      ['v3', 1, 2, 2],
    ]);
    expect(lines(g.rows[0]!.children)).toEqual([
      { lane: 0, branch: 0 },
      { lane: 1, branch: 1 },
      { lane: 2, branch: 2 },
    ]);
    expect(g.rows.slice(1).map((r) => r.sibling)).toEqual([
      { index: 1, count: 3 },
      { index: 2, count: 3 },
      { index: 3, count: 3 },
    ]);
    expect(g.rows.slice(1).map((r) => r.parentId)).toEqual(['root', 'root', 'root']);
    // v3's line passes v1 and v2 in its own lane on the way down from the original.
    expect(lines(g.rows[2]!.through)).toEqual([{ lane: 2, branch: 2 }]);
    checkNoCollisions(g);
  });

  it('a branch forks at its parent and runs down past the main line to its first turn', () => {
    // root → a → b → c, and d from a (the e2e fixture's shape)
    const t = build([
      ['a', 'root'],
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'a'],
    ]);
    const g = layoutGraph(t);
    expect(summary(g)).toEqual([
      ['root', 0, 0, 0],
      ['a', 1, 0, 0],
      ['b', 2, 0, 0],
      ['c', 3, 0, 0],
      ['d', 2, 1, 1],
    ]);
    const d = g.rows[4]!;
    expect(d.branchStart).toBe(true);
    expect(d.parentId).toBe('a');
    expect(lines(g.rows[1]!.children)).toEqual([
      { lane: 0, branch: 0 },
      { lane: 1, branch: 1 },
    ]);
    expect(lines(g.rows[2]!.through)).toEqual([{ lane: 1, branch: 1 }]);
    expect(lines(g.rows[3]!.through)).toEqual([{ lane: 1, branch: 1 }]);
    expect(g.rows.filter((r) => r.onCurrentPath).map((r) => r.id)).toEqual(['root', 'a', 'd']);
    expect(g.rows[1]!.children.map((l) => l.onPath)).toEqual([false, true]); // the shown turn's line stands out
  });

  it('inner branches take inner lanes; branches are named top to bottom', () => {
    // root → a → b → c; x from a, then y from b: y's line ends first, so it takes the inner lane and x's line goes
    // round it (in the outer lane, y's fork would cross x's line).
    const g = layoutGraph(
      build([
        ['a', 'root'],
        ['b', 'a'],
        ['c', 'b'],
        ['x', 'a'],
        ['y', 'b'],
      ]),
    );
    expect(summary(g)).toEqual([
      ['root', 0, 0, 0],
      ['a', 1, 0, 0],
      ['b', 2, 0, 0],
      ['c', 3, 0, 0],
      ['y', 3, 1, 1],
      ['x', 2, 2, 2],
    ]);
    expect(lines(g.rows[2]!.through)).toEqual([{ lane: 2, branch: 2 }]);
    expect(lines(g.rows[4]!.through)).toEqual([{ lane: 2, branch: 2 }]);
    checkNoCollisions(g);
  });

  it('reuses a lane once the line in it has ended, so branches do not make a staircase', () => {
    // root → a → b, and c from root with two children d, e: a's lane is free below b, so e's line curves into it.
    const g = layoutGraph(
      build([
        ['a', 'root'],
        ['b', 'a'],
        ['c', 'root'],
        ['d', 'c'],
        ['e', 'c'],
      ]),
    );
    expect(summary(g)).toEqual([
      ['root', 0, 0, 0],
      ['a', 1, 0, 0],
      ['b', 2, 0, 0],
      ['c', 1, 1, 1],
      ['d', 2, 1, 1],
      ['e', 2, 0, 2],
    ]);
    expect(g.lanes).toBe(2);
    checkNoCollisions(g);
  });

  it('branches of branches keep their own names and continue in their lane', () => {
    const g = layoutGraph(
      build([
        ['a', 'root'],
        ['b', 'root'],
        ['b2', 'b'],
        ['b3', 'b'],
        ['b4', 'b2'],
      ]),
    );
    expect(summary(g)).toEqual([
      ['root', 0, 0, 0],
      ['a', 1, 0, 0],
      ['b', 1, 1, 1],
      ['b2', 2, 1, 1],
      ['b4', 3, 1, 1],
      ['b3', 2, 0, 2], // lane 0 is free again below a: the fork from b curves left into it
    ]);
    checkNoCollisions(g);
  });

  it('never draws two lines in one lane of a row, whatever the tree (random trees)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 200; k++) {
      const ids = ['root'];
      const edges: [string, string][] = [];
      for (let i = 0; i < 2 + rand(25); i++) {
        const id = `n${i}`;
        edges.push([id, ids[rand(ids.length)]!]);
        ids.push(id);
      }
      const t = selectTurn(build(edges), ids[rand(ids.length)]!);
      const g = layoutGraph(t);
      expect(g.rows).toHaveLength(ids.length);
      checkNoCollisions(g);
      for (const row of g.rows) {
        if (!row.parentId) continue;
        const parent = g.rows.find((r) => r.id === row.parentId)!;
        expect(g.rows.indexOf(parent)).toBeLessThan(g.rows.indexOf(row)); // children under their parent
        expect(row.depth).toBe(parent.depth + 1);
        expect(parent.children).toContainEqual({ lane: row.lane, branch: row.branch, onPath: row.onCurrentPath });
      }
    }
  });

  it('names branches A, B, … Z, AA', () => {
    expect([0, 1, 2, 26, 27, 28].map(branchName)).toEqual(['', 'A', 'B', 'Z', 'AA', 'AB']);
  });
});
