/**
 * RoPE position ids (docs/kontext-spec.md §3): float triples (index, row, col) per token, Float32Array [L, 3] row-major.
 * Text tokens are all (0,0,0); target tokens (0, r, c); reference i (1-based) tokens (i, r, c) on their own grid
 * starting at (0, 0) — the paper's "index" scheme, no spatial offset between references.
 */

/** A packed latent's token grid (rows = h/p, cols = w/p). */
export interface TokenGrid {
  rows: number;
  cols: number;
}

/** Text ids: [length, 3] zeros (identity rotation). */
export function makeTextIds(length: number): Float32Array {
  return new Float32Array(3 * length);
}

/** Ids (index, r, c) for one image's grid, row-major (the packing order). index 0 = target, i ≥ 1 = reference i. */
export function makeImageIds(grid: TokenGrid, index: number): Float32Array {
  const { rows, cols } = grid;
  const ids = new Float32Array(3 * rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const n = 3 * (r * cols + c);
      ids[n] = index;
      ids[n + 1] = r;
      ids[n + 2] = c;
    }
  }
  return ids;
}

/** `img_ids` for [target][ref1]…[refN]: target grid with index 0, reference i with index i. */
export function makeImgIds(target: TokenGrid, references: readonly TokenGrid[]): Float32Array {
  const parts = [makeImageIds(target, 0), ...references.map((grid, i) => makeImageIds(grid, i + 1))];
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
