/**
 * @file The staged AE decode (workers/bundle/aeStages.ts): runs the decoder's stages one after another, each tile by
 * tile, feeding every GroupNorm the statistics of the whole picture. Each stage returns per-tile, per-channel Σx and
 * Σx² over its tiles' cores; summed over the tiles (in float64) they give the next norm's exact mean and variance.
 * The tiles' cores partition the picture and each tile carries the halo its convs read, so no tile sees a border
 * that the whole picture does not have: the result equals the whole decode up to float error, unlike the blended
 * tiles of tiles.ts. Pure: the runtime runs one stage graph per call of `run`.
 */
import { STAGE_LATENT, type AeDecoderStage } from '../bundle/aeStages';
import { cropTile } from './tiles';

const FLOAT_BYTES = 4;

/** The stage fields the decode needs (the graph files stay with the runtime). */
export type DecoderStage = Omit<AeDecoderStage, 'graph'>;

/** A float tensor [1, C, H, W]. */
interface Tensor {
  data: Float32Array;
  dims: [1, number, number, number];
}

/** What one stage graph is fed (docs/graph-contract.md § Staged AE decoder). */
export interface StageFeeds {
  x: Tensor;
  /** Per-channel mean and 1/√(var + ε) of x's whole picture, for a stage with a norm. */
  norm?: { mean: Float32Array; rstd: Float32Array };
  skip?: Tensor;
  /** The tile's core in the stage's output pixels (rows, columns): start inclusive, end exclusive. */
  coreStart: [number, number];
  coreEnd: [number, number];
}

/** What one stage graph returns: the core and its per-channel sums. */
export interface StageResult {
  y: Float32Array;
  sum: Float32Array;
  sumSquares: Float32Array;
}

/** A stage's output over the whole picture and its per-channel sums. */
interface Stored {
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
  sum: Float64Array;
  sumSquares: Float64Array;
}

/**
 * Group statistics from per-channel sums over `count` pixels: each group's mean and 1/√(var + ε) (var from
 * E[x²] − E[x]², accumulated in float64), repeated over the group's channels, as the stage graphs take them.
 */
export function getGroupNormStats(
  sum: Float64Array,
  sumSquares: Float64Array,
  count: number,
  norm: { groups: number; epsilon: number },
): { mean: Float32Array; rstd: Float32Array } {
  const channels = sum.length;
  if (channels % norm.groups !== 0) throw new Error(`${channels} channels do not split into ${norm.groups} groups`);
  const per = channels / norm.groups;
  const mean = new Float32Array(channels);
  const rstd = new Float32Array(channels);
  for (let g = 0; g < norm.groups; g++) {
    let s = 0;
    let s2 = 0;
    for (let c = g * per; c < (g + 1) * per; c++) [s, s2] = [s + sum[c]!, s2 + sumSquares[c]!];
    const m = s / (count * per);
    const variance = Math.max(0, s2 / (count * per) - m * m);
    mean.fill(m, g * per, (g + 1) * per);
    rstd.fill(1 / Math.sqrt(variance + norm.epsilon), g * per, (g + 1) * per);
  }
  return { mean, rstd };
}

/** Splits `n` pixels into ⌈n / tile⌉ consecutive parts of near-equal length: [start, length] each. */
function splitAxis(n: number, tile: number): [number, number][] {
  const count = Math.ceil(n / tile);
  return Array.from({ length: count }, (_, i) => {
    const start = Math.floor((i * n) / count);
    return [start, Math.floor(((i + 1) * n) / count) - start];
  });
}

/** Each stage's input channels, skip channels and input scale (input pixels per latent pixel). */
function describeInputs(stages: readonly DecoderStage[], zChannels: number) {
  const known = new Map([[STAGE_LATENT, { channels: zChannels, scale: 1 }]]);
  return stages.map((s) => {
    const input = known.get(s.input);
    const skip = s.skip === undefined ? undefined : known.get(s.skip);
    if (!input || (s.skip !== undefined && !skip)) throw new Error(`stage ${s.output} reads a tensor not made yet`);
    if (skip && skip.scale !== input.scale) throw new Error(`stage ${s.output}: skip and input differ in size`);
    known.set(s.output, { channels: s.channels, scale: input.scale * s.upscale });
    return { channels: input.channels, skipChannels: skip?.channels ?? 0, scale: input.scale };
  });
}

/**
 * The largest single buffer (bytes) each stage needs for a `th`×`tw` latent tile (a whole stage: the whole h×w
 * latent, plus its attention's ⌈hw / chunks⌉ × hw scores): the widest of its input, skip and output over the tile's
 * crop with halo, at output resolution. An upper bound on the tensors, not onnxruntime's exact plan.
 */
export function getStagePeakBytes(
  stages: readonly DecoderStage[],
  o: { zChannels: number; attentionChunks: number; height: number; width: number },
  th: number,
  tw: number,
): number {
  const inputs = describeInputs(stages, o.zChannels);
  return Math.max(
    ...stages.map((s, i) => {
      const { channels, skipChannels, scale } = inputs[i]!;
      const widest = Math.max(channels, skipChannels, s.channels) * FLOAT_BYTES;
      if (s.whole) {
        const area = o.height * scale * o.width * scale;
        return Math.max(area * widest, Math.ceil(area / o.attentionChunks) * area * FLOAT_BYTES);
      }
      const [ch, cw] = [th * scale + 2 * s.halo, tw * scale + 2 * s.halo];
      return ch * cw * s.upscale ** 2 * widest;
    }),
  );
}

/**
 * The square tile (latent pixels) whose stages all stay within `budget` bytes per buffer; null when even a
 * 1-pixel tile does not fit, or a whole stage (the attention over the whole latent) is over budget.
 */
export function chooseStagedTile(
  stages: readonly DecoderStage[],
  o: { zChannels: number; attentionChunks: number; height: number; width: number },
  budget: number,
): number | null {
  for (let tile = Math.max(o.height, o.width); tile >= 1; tile--)
    if (getStagePeakBytes(stages, o, Math.min(tile, o.height), Math.min(tile, o.width)) <= budget) return tile;
  return null;
}

/** Rows [y0, y1) × columns [x0, x1) of every channel of a stored tensor. */
function crop(t: Stored, y0: number, y1: number, x0: number, x1: number): Tensor {
  const data = cropTile(t.data, t.channels, t.height, t.width, { y: y0, x: x0, h: y1 - y0, w: x1 - x0 }, 1);
  return { data, dims: [1, t.channels, y1 - y0, x1 - x0] };
}

/** Runs one stage over every tile (or once, whole) and returns its output over the whole picture. */
async function runStage(
  index: number,
  stage: DecoderStage,
  store: ReadonlyMap<string, Stored>,
  run: (index: number, feeds: StageFeeds) => Promise<StageResult>,
  latentTiles: { rows: [number, number][]; cols: [number, number][] },
  scale: number,
): Promise<Stored> {
  const input = store.get(stage.input)!;
  const skip = stage.skip === undefined ? undefined : store.get(stage.skip)!;
  const norm = stage.norm
    ? getGroupNormStats(input.sum, input.sumSquares, input.height * input.width, stage.norm)
    : undefined;
  const [u, c] = [stage.upscale, stage.channels];
  const out: Stored = {
    data: new Float32Array(c * input.height * u * input.width * u),
    channels: c,
    height: input.height * u,
    width: input.width * u,
    sum: new Float64Array(c),
    sumSquares: new Float64Array(c),
  };
  const at = (parts: [number, number][]) => parts.map(([start, n]): [number, number] => [start * scale, n * scale]);
  const [rows, cols]: [[number, number][], [number, number][]] = stage.whole
    ? [[[0, input.height]], [[0, input.width]]]
    : [at(latentTiles.rows), at(latentTiles.cols)];
  for (const [y, th] of rows)
    for (const [x, tw] of cols) {
      const [y0, x0] = [Math.max(0, y - stage.halo), Math.max(0, x - stage.halo)];
      const [y1, x1] = [Math.min(input.height, y + th + stage.halo), Math.min(input.width, x + tw + stage.halo)];
      const coreStart: [number, number] = [(y - y0) * u, (x - x0) * u];
      const result = await run(index, {
        x: crop(input, y0, y1, x0, x1),
        ...(norm ? { norm } : {}),
        ...(skip ? { skip: crop(skip, y0, y1, x0, x1) } : {}),
        coreStart,
        coreEnd: [coreStart[0] + th * u, coreStart[1] + tw * u],
      });
      const [oh, ow] = [th * u, tw * u];
      if (result.y.length !== c * oh * ow)
        throw new Error(`stage ${stage.output} returned ${result.y.length} values for a ${c}×${oh}×${ow} tile`);
      for (let ch = 0; ch < c; ch++) {
        out.sum[ch] = out.sum[ch]! + result.sum[ch]!;
        out.sumSquares[ch] = out.sumSquares[ch]! + result.sumSquares[ch]!;
        for (let r = 0; r < oh; r++)
          out.data.set(
            result.y.subarray((ch * oh + r) * ow, (ch * oh + r + 1) * ow),
            (ch * out.height + y * u + r) * out.width + x * u,
          );
      }
    }
  return out;
}

/**
 * Decodes an h×w latent ([1, zChannels, h, w]) through `stages` in tiles of `tile` latent pixels and returns the last
 * stage's output (the image). Tensors are dropped after their last reader.
 */
export async function runStagedDecoder(
  stages: readonly DecoderStage[],
  run: (index: number, feeds: StageFeeds) => Promise<StageResult>,
  latent: { data: Float32Array; channels: number; height: number; width: number },
  tile: number,
): Promise<Float32Array> {
  const inputs = describeInputs(stages, latent.channels);
  const lastUse = new Map<string, number>();
  stages.forEach((s, i) => [s.input, s.skip].forEach((t) => t !== undefined && lastUse.set(t, i)));
  const store = new Map<string, Stored>([
    [
      STAGE_LATENT,
      { ...latent, sum: new Float64Array(latent.channels), sumSquares: new Float64Array(latent.channels) },
    ],
  ]);
  const latentTiles = { rows: splitAxis(latent.height, tile), cols: splitAxis(latent.width, tile) };
  let last: Stored | undefined;
  for (const [i, stage] of stages.entries()) {
    last = await runStage(i, stage, store, run, latentTiles, inputs[i]!.scale);
    store.set(stage.output, last);
    for (const [name, at] of lastUse) if (at === i) store.delete(name);
  }
  if (!last) throw new Error('the staged decoder has no stages');
  return last.data;
}
