import { describe, expect, it } from 'vitest';
import { makeImageIds, makeImgIds, makeTextIds } from './ids';
import { packLatents } from './pack';

const rowsOf = (ids: Float32Array) =>
  Array.from({ length: ids.length / 3 }, (_, n) => Array.from(ids.subarray(3 * n, 3 * n + 3)));

describe('position ids', () => {
  it('text ids are [L, 3] zeros', () => {
    const ids = makeTextIds(5);
    expect(ids).toHaveLength(15);
    expect(ids.every((v) => v === 0)).toBe(true);
  });

  it('target ids are (0, r, c) row-major', () => {
    expect(rowsOf(makeImageIds({ rows: 2, cols: 3 }, 0))).toEqual([
      [0, 0, 0],
      [0, 0, 1],
      [0, 0, 2],
      [0, 1, 0],
      [0, 1, 1],
      [0, 1, 2],
    ]);
  });

  it('references get their 1-based index and their own grid from (0, 0)', () => {
    const ids = rowsOf(
      makeImgIds({ rows: 1, cols: 2 }, [
        { rows: 1, cols: 1 },
        { rows: 2, cols: 1 },
      ]),
    );
    expect(ids).toEqual([
      [0, 0, 0],
      [0, 0, 1],
      [1, 0, 0],
      [2, 0, 0],
      [2, 1, 0],
    ]);
  });

  it('match the packing order: token n sits at patch (r, c) of its ids', () => {
    // latent value at patch (R, C) = 1000R + C, h = 6, w = 10, p = 2 → 3×5 tokens
    const [h, w] = [6, 10];
    const lat = new Float32Array(h * w);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) lat[y * w + x] = 1000 * Math.floor(y / 2) + Math.floor(x / 2);
    const tokens = packLatents(lat, { channels: 1, height: h, width: w, patchSize: 2 });
    const ids = makeImageIds({ rows: 3, cols: 5 }, 0);
    for (let n = 0; n < 15; n++) expect(tokens[4 * n]).toBe(1000 * ids[3 * n + 1]! + ids[3 * n + 2]!);
  });
});
