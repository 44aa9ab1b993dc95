/**
 * @file Tiled AE encode/decode: which tiles (in latent pixels, overlapping), how big a tile may be for a GPU
 * buffer budget, and the linear blend that stitches the tiles' outputs back together. Pure arithmetic; the
 * runtime runs the graph once per tile. Needed because the FLUX decoder's activations at 1024² reach 1 GiB in a
 * single buffer (256 channels at full resolution), over many GPUs' maxBufferSize.
 * Tiles are not exact: GroupNorm statistics and the mid-block attention see one tile, not the whole picture;
 * the overlap and blend hide the seams. So the engine tiles only when the whole picture does not fit, and decodes
 * through the staged decoder instead (stagedDecode.ts, exact) when the bundle has it.
 */

/** The AE's buffer arithmetic: channel widths per level (ch, then ch·ch_mult) and the attention's query chunks. */
export interface AeShape {
  /** [ch, ch·ch_mult[0], …]: FLUX's is [128, 128, 256, 512, 512]. */
  channels: readonly number[];
  /** Query chunks of the mid-block attention (1 = the full [hw, hw] matrix). */
  attentionChunks: number;
}

/** One tile in latent pixels. */
export interface Tile {
  y: number;
  x: number;
  h: number;
  w: number;
}

const FLOAT_BYTES = 4;

/**
 * The largest single activation (bytes) of an AE pass over a latent of `h`×`w` (encode or decode: the same levels
 * in reverse). At level j (resolution 2^(L−1−j)·latent) a tensor holds at most max(channels[j..j+2]) channels —
 * the level's own widths and the upsampled input from the level below; the attention's chunk scores are
 * ⌈hw / chunks⌉ × hw. An upper bound on what the graph allocates, not onnxruntime's exact plan.
 */
export function getAePeakBytes(ae: AeShape, h: number, w: number): number {
  const levels = ae.channels.length - 1;
  let peak = 0;
  for (let j = 0; j < levels; j++) {
    const scale = 2 ** (levels - 1 - j);
    const widest = Math.max(...ae.channels.slice(j, j + 3));
    peak = Math.max(peak, h * scale * w * scale * widest * FLOAT_BYTES);
  }
  const tokens = h * w;
  return Math.max(peak, Math.ceil(tokens / ae.attentionChunks) * tokens * FLOAT_BYTES);
}

/** Start and length of each tile along one axis of `n` pixels: `tile` long, overlapping by at least `overlap`. */
function planAxis(n: number, tile: number, overlap: number): [number, number][] {
  if (n <= tile) return [[0, n]];
  const stride = tile - overlap;
  const count = Math.ceil((n - overlap) / stride);
  // Spread the starts evenly from 0 to n − tile, so every overlap is at least `overlap`.
  return Array.from({ length: count }, (_, i) => [Math.round((i * (n - tile)) / (count - 1)), tile]);
}

/** The tiles covering an `h`×`w` latent, row by row. */
export function planTiles(h: number, w: number, tile: number, overlap: number): Tile[] {
  if (!(tile > overlap && overlap >= 0)) throw new Error(`a tile of ${tile} cannot overlap by ${overlap}`);
  const rows = planAxis(h, tile, overlap);
  const cols = planAxis(w, tile, overlap);
  return rows.flatMap(([y, th]) => cols.map(([x, tw]) => ({ y, x, h: th, w: tw })));
}

/**
 * The tile size (square, latent pixels) for an `h`×`w` latent whose largest buffer stays within `budget` bytes,
 * with an overlap of a quarter tile; null when the whole latent fits (no tiling).
 * @throws Error when even an 8-pixel tile is over budget.
 */
export function chooseTiling(
  ae: AeShape,
  h: number,
  w: number,
  budget: number,
): { tile: number; overlap: number } | null {
  if (getAePeakBytes(ae, h, w) <= budget) return null;
  let tile = Math.max(h, w);
  while (tile > 8 && getAePeakBytes(ae, Math.min(tile, h), Math.min(tile, w)) > budget) tile--;
  if (getAePeakBytes(ae, Math.min(tile, h), Math.min(tile, w)) > budget)
    throw new Error(`the autoencoder needs more than ${budget} bytes in one buffer even for an 8×8 latent tile`);
  return { tile, overlap: Math.max(1, Math.floor(tile / 4)) };
}

/** Copies channels × (tile in `unit`-sized pixels) out of a [1, C, H, W] tensor. */
export function cropTile(data: Float32Array, channels: number, height: number, width: number, t: Tile, unit: number) {
  const [y0, x0, th, tw] = [t.y * unit, t.x * unit, t.h * unit, t.w * unit];
  const out = new Float32Array(channels * th * tw);
  for (let c = 0; c < channels; c++)
    for (let y = 0; y < th; y++) {
      const from = (c * height + y0 + y) * width + x0;
      out.set(data.subarray(from, from + tw), (c * th + y) * tw);
    }
  return out;
}

/** Weight of position `p` in a tile of `len` along an axis: ramps up over `ramp` where a neighbour overlaps. */
function edgeWeight(p: number, len: number, ramp: number, before: boolean, after: boolean): number {
  let weight = 1;
  if (before) weight = Math.min(weight, (p + 0.5) / ramp);
  if (after) weight = Math.min(weight, (len - p - 0.5) / ramp);
  return weight;
}

/**
 * Stitches per-tile outputs ([1, C, h·unit, w·unit] each, in `tiles` order) into one [1, C, H·unit, W·unit]
 * tensor: each pixel is the weighted mean of the tiles covering it, weights ramping linearly across overlaps.
 */
export function blendTiles(
  outputs: readonly Float32Array[],
  tiles: readonly Tile[],
  o: { channels: number; height: number; width: number; unit: number; overlap: number },
): Float32Array {
  const [H, W, u] = [o.height * o.unit, o.width * o.unit, o.unit];
  const sum = new Float32Array(o.channels * H * W);
  const weights = new Float32Array(H * W);
  const ramp = Math.max(1, o.overlap * u);
  tiles.forEach((t, i) => {
    const out = outputs[i]!;
    const [th, tw] = [t.h * u, t.w * u];
    const wy = Array.from({ length: th }, (_, y) => edgeWeight(y, th, ramp, t.y > 0, t.y + t.h < o.height));
    const wx = Array.from({ length: tw }, (_, x) => edgeWeight(x, tw, ramp, t.x > 0, t.x + t.w < o.width));
    for (let y = 0; y < th; y++)
      for (let x = 0; x < tw; x++) {
        const weight = wy[y]! * wx[x]!;
        const at = (t.y * u + y) * W + t.x * u + x;
        weights[at] = weights[at]! + weight;
        for (let c = 0; c < o.channels; c++) {
          const i = c * H * W + at;
          sum[i] = sum[i]! + weight * out[(c * th + y) * tw + x]!;
        }
      }
  });
  for (let c = 0; c < o.channels; c++)
    for (let p = 0; p < H * W; p++) sum[c * H * W + p] = sum[c * H * W + p]! / weights[p]!;
  return sum;
}

/**
 * Runs `run` on every tile of a [1, C, H, W] input (H, W = height, width latent pixels × `input.unit`) and blends
 * the outputs ([1, C', h·output.unit, w·output.unit] per tile) into one tensor.
 */
export async function runTiled(
  run: (tile: Float32Array, t: Tile) => Promise<Float32Array>,
  input: { data: Float32Array; channels: number; height: number; width: number; unit: number },
  output: { channels: number; unit: number },
  tiling: { tile: number; overlap: number },
): Promise<Float32Array> {
  const tiles = planTiles(input.height, input.width, tiling.tile, tiling.overlap);
  const outputs: Float32Array[] = [];
  const [H, W] = [input.height * input.unit, input.width * input.unit];
  for (const t of tiles) outputs.push(await run(cropTile(input.data, input.channels, H, W, t, input.unit), t));
  return blendTiles(outputs, tiles, {
    channels: output.channels,
    height: input.height,
    width: input.width,
    unit: output.unit,
    overlap: tiling.overlap,
  });
}
