/**
 * @file Reads and writes the app's `.kontext` session files in Node, independently of the app's code:
 * "KSESSION" | u32 version | u32 header length | header JSON | PNG blobs.
 */
import { maskPng, photoPng, readPng } from './images';

export interface SessionHeader {
  name: string;
  tree: { rootId: string; currentId: string; nodes: Record<string, TurnJson>; redoTo: Record<string, string> };
  draft: { mask: string | null; references: RefJson[]; prompt: string };
  blobs: { id: string; kind: 'image' | 'mask'; offset: number; length: number; width: number; height: number }[];
}
interface RefJson {
  id: string;
  width: number;
  height: number;
}
interface TurnJson {
  id: string;
  parentId: string | null;
  childIds: string[];
  createdAt: number;
  image: RefJson;
  source: string;
  instruction: string;
  params: { steps: number; guidance: number; seed: number; size: 'input' | 'native'; keepUnchanged?: boolean } | null;
  mask: RefJson | null;
  references: RefJson[];
  timing: { totalMs: number; phases: Record<string, number> } | null;
  model: { bundleId: string; bundleName: string; backend: string } | null;
}

/** Parses a session file; `pixels(id)` decodes one stored image or mask to RGBA. */
export function readSessionFile(bytes: Buffer) {
  if (bytes.subarray(0, 8).toString('latin1') !== 'KSESSION') throw new Error('not a session file');
  const length = bytes.readUInt32BE(12);
  const header: SessionHeader = JSON.parse(bytes.subarray(16, 16 + length).toString('utf8'));
  const base = 16 + length;
  const blob = (id: string) => {
    const e = header.blobs.find((b) => b.id === id);
    if (!e) throw new Error(`no blob ${id}`);
    return bytes.subarray(base + e.offset, base + e.offset + e.length);
  };
  return { version: bytes.readUInt32BE(8), header, pixels: (id: string) => readPng(Buffer.from(blob(id))) };
}

/** Builds a session file: root → t1 (mask + reference) → t2 → t3, and a branch b1 from t1; t3 is current. */
export function makeBranchedSession(name = 'Fixture street'): Buffer {
  const W = 96,
    H = 64;
  const ref = (id: string, w = W, h = H) => ({ id, width: w, height: h });
  const turn = (
    id: string,
    parentId: string | null,
    childIds: string[],
    image: string,
    instruction: string,
    seed: number,
    extra: Partial<TurnJson> = {},
  ): TurnJson => ({
    id,
    parentId,
    childIds,
    createdAt: 1_700_000_000_000 + seed,
    image: ref(image),
    source: parentId ? '' : 'street.png',
    instruction,
    params: parentId ? { steps: 8, guidance: 2.5, seed, size: 'input' } : null,
    mask: null,
    references: [],
    timing: parentId ? { totalMs: 1234 + seed, phases: { denoising: 1000 } } : null,
    model: parentId ? { bundleId: 'kontext-micro', bundleName: 'kontext-micro', backend: 'webgpu' } : null,
    ...extra,
  });
  const nodes: Record<string, TurnJson> = {
    root: turn('root', null, ['t1'], 'img-root', '', 0),
    t1: turn('t1', 'root', ['t2', 'b1'], 'img-t1', 'make the car red', 11, {
      mask: ref('mask-t1'),
      references: [ref('ref-1', 32, 32)],
    }),
    t2: turn('t2', 't1', ['t3'], 'img-t2', 'add snow', 22),
    t3: turn('t3', 't2', [], 'img-t3', 'now at night', 33),
    b1: turn('b1', 't1', [], 'img-b1', 'make it autumn', 44),
  };
  const blobs: [string, 'image' | 'mask', Buffer, number, number][] = [
    ['img-root', 'image', photoPng(W, H, [40, 90, 200]), W, H],
    ['img-t1', 'image', photoPng(W, H, [220, 40, 40]), W, H],
    ['img-t2', 'image', photoPng(W, H, [240, 240, 250]), W, H],
    ['img-t3', 'image', photoPng(W, H, [20, 20, 60]), W, H],
    ['img-b1', 'image', photoPng(W, H, [200, 120, 30]), W, H],
    ['mask-t1', 'mask', maskPng(W, H, (x, y) => (x > 30 && x < 66 && y > 14 && y < 50 ? 255 : 0)), W, H],
    ['ref-1', 'image', photoPng(32, 32, [20, 200, 90]), 32, 32],
  ];
  let offset = 0;
  const table = blobs.map(([id, kind, buf, width, height]) => {
    const e = { id, kind, offset, length: buf.length, width, height };
    offset += buf.length;
    return e;
  });
  const header = {
    app: 'Kontext Studio',
    name,
    createdAt: 1_700_000_000_000,
    exportedAt: 1_700_000_000_000,
    tree: { rootId: 'root', currentId: 't3', nodes, redoTo: { root: 't1', t1: 't2', t2: 't3' } },
    draft: { mask: null, references: [], prompt: '' },
    blobs: table,
  };
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(16);
  head.write('KSESSION', 0, 'latin1');
  head.writeUInt32BE(1, 8);
  head.writeUInt32BE(json.length, 12);
  return Buffer.concat([head, json, ...blobs.map((b) => b[2])]);
}
