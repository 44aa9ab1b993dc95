/**
 * @file Session files with any turn tree, for the history specs: each turn's image is the test picture in its own
 * tint, or in its parent's (the same pixels) when the edit is meant to have changed nothing.
 */
import { photoPng } from './images';

export interface TurnSpec {
  id: string;
  /** null for the opened image. */
  parent: string | null;
  instruction: string;
  tint: [number, number, number];
  /** The edit left its parent's pixels exactly as they were (its tint is ignored). */
  unchanged?: boolean;
}

const W = 96,
  H = 64;

/** Builds a `.kontext` file (the format sessionFiles.ts reads) holding `turns`, with `currentId` shown. */
export function makeTreeSession(name: string, turns: TurnSpec[], currentId: string): Buffer {
  const byId = new Map(turns.map((t) => [t.id, t]));
  const tintOf = (t: TurnSpec): TurnSpec['tint'] => (t.unchanged && t.parent ? tintOf(byId.get(t.parent)!) : t.tint);
  const nodes = Object.fromEntries(
    turns.map((t, i) => [
      t.id,
      {
        id: t.id,
        parentId: t.parent,
        childIds: turns.filter((c) => c.parent === t.id).map((c) => c.id),
        createdAt: 1_700_000_000_000 + i,
        image: { id: `img-${t.id}`, width: W, height: H },
        source: t.parent ? '' : `${name}.png`,
        instruction: t.instruction,
        params: t.parent ? { steps: 8, guidance: 2.5, seed: i, size: 'input', keepUnchanged: true } : null,
        mask: null,
        references: [],
        timing: t.parent ? { totalMs: 900, phases: { denoising: 700 } } : null,
        model: t.parent ? { bundleId: 'kontext-micro', bundleName: 'kontext-micro', backend: 'wasm' } : null,
      },
    ]),
  );
  const redoTo: Record<string, string> = {};
  for (let t = byId.get(currentId)!; t.parent; t = byId.get(t.parent)!) redoTo[t.parent] = t.id;
  const images = turns.map((t) => ({ id: `img-${t.id}`, png: photoPng(W, H, tintOf(t)) }));
  let offset = 0;
  const blobs = images.map(({ id, png }) => {
    const entry = { id, kind: 'image', offset, length: png.length, width: W, height: H };
    offset += png.length;
    return entry;
  });
  const header = {
    app: 'Kontext Studio',
    name,
    createdAt: 1_700_000_000_000,
    exportedAt: 1_700_000_000_000,
    tree: { rootId: turns[0]!.id, currentId, nodes, redoTo },
    draft: { mask: null, references: [], prompt: '' },
    blobs,
  };
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(16);
  head.write('KSESSION', 0, 'latin1');
  head.writeUInt32BE(1, 8);
  head.writeUInt32BE(json.length, 12);
  return Buffer.concat([head, json, ...images.map((i) => i.png)]);
}

/**
 * Three variations of the original (v1 continued to turn 3 with a branch from turn 2, v2 continued once), and a
 * turn that changed nothing: the shapes the history must not draw as a staircase.
 */
export const BRANCHY_TURNS: TurnSpec[] = [
  { id: 'root', parent: null, instruction: '', tint: [40, 90, 200] },
  { id: 'v1', parent: 'root', instruction: 'make the circle blue', tint: [30, 60, 230] },
  { id: 'v2', parent: 'root', instruction: 'make the circle blue', tint: [60, 80, 210] },
  { id: 'v3', parent: 'root', instruction: 'make the circle blue', tint: [20, 40, 250] },
  { id: 'a2', parent: 'v1', instruction: 'remove the star', tint: [200, 60, 60] },
  { id: 'a3', parent: 'a2', instruction: 'make the background yellow', tint: [240, 220, 40] },
  { id: 'b3', parent: 'a2', instruction: 'make the background gray', tint: [128, 128, 128] },
  { id: 'c2', parent: 'v2', instruction: 'add the word HELLO', tint: [0, 0, 0], unchanged: true },
];
