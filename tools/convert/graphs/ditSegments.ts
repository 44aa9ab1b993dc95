/**
 * @file How a DiT is cut into K segment graphs run back to back (docs/graph-contract.md, "DiT
 * segments"): the I/O names segments hand each other and a parameter-balanced split of the block
 * chain (double blocks, then single blocks). Pure.
 */
import type { DitConfig } from '../../../workers/bundle/manifest';
import { getDitTensorShapes } from './ditConfig';

/** The DiT graph inputs of docs/graph-contract.md, in order. */
export const DIT_INPUT_NAMES = [
  'hidden_states',
  'encoder_hidden_states',
  'pooled_projections',
  'timestep',
  'img_ids',
  'txt_ids',
  'guidance',
] as const;

/**
 * The leading axis of the token tensors (hidden_states, encoder_hidden_states, the streams, velocity): a batch of
 * runs at the same timestep (manifest `dit_batch`); pooled_projections, timestep, guidance and the ids are shared.
 */
export const BATCH = 'B';

/** The DiT graph output. */
export const DIT_OUTPUT_NAME = 'velocity';

/**
 * Values segment 0 computes once and every later segment takes as inputs unchanged: the
 * conditioning vector (before SiLU) and the RoPE tables of the joint [txt; img] sequence.
 */
export const SEGMENT_SHARED_NAMES = { vec: 'vec', cos: 'rope_cos', sin: 'rope_sin' } as const;

/** The two token streams a segment takes (`img_hidden`, `txt_hidden`) and hands on (`…_out`). */
export const SEGMENT_STREAM_NAMES = { img: 'img_hidden', txt: 'txt_hidden' } as const;

/** Suffix that marks a stream output feeding the next segment's input of the same base name. */
export const SEGMENT_OUTPUT_SUFFIX = '_out';

/**
 * Extra output of segment 0 in a first-block-cache layout: the first double block's change to the image
 * stream (its output minus its input), which the engine compares across steps (workers/kontext/firstBlockCache.ts).
 */
export const FIRST_RESIDUAL_NAME = 'first_residual';

/** One segment: a contiguous range of the block chain (both empty for the head: the final layer alone). */
export interface DitSegmentPlan {
  index: number;
  /** Double blocks [start, end). */
  double: [number, number];
  /** Single blocks [start, end). */
  single: [number, number];
}

/** Graph file name of segment `index` of `count` (`dit.onnx` when unsegmented). */
export function getDitGraphFileName(index: number, count: number): string {
  return count === 1 ? 'dit.onnx' : `dit.${index}.onnx`;
}

/**
 * Splits the chain of depth + depthSingleBlocks blocks into `count` contiguous, non-empty segments
 * whose parameter counts are as even as possible (a FLUX double block holds about 2.4× a single block's).
 * With `firstBlockCache` the layout is [first double block][the rest in `count` segments][final layer]:
 * `count` + 2 graphs, so the engine can run the first block alone and skip or run the rest (first-block cache).
 * @throws RangeError when `count` is not an integer in [1, number of blocks] (minus one with firstBlockCache).
 */
export function planDitSegments(config: DitConfig, count: number, firstBlockCache = false): DitSegmentPlan[] {
  if (!firstBlockCache) return planChain(config, 0, count);
  if (config.depth < 1) throw new RangeError('a first-block-cache layout needs at least one double block');
  const rest = planChain(config, 1, count);
  const head = { double: [config.depth, config.depth], single: [config.depthSingleBlocks, config.depthSingleBlocks] };
  const plans = [{ double: [0, 1], single: [0, 0] }, ...rest, head] as Omit<DitSegmentPlan, 'index'>[];
  return plans.map((p, index) => ({ ...p, index }));
}

/** Balanced split of the chain's blocks [from, total) into `count` segments (`index` counts from 0). */
function planChain(config: DitConfig, from: number, count: number): DitSegmentPlan[] {
  const total = config.depth + config.depthSingleBlocks;
  if (!Number.isInteger(count) || count < 1 || count > total - from) {
    throw new RangeError(
      `segments must be an integer from 1 to ${total - from} (the DiT's block count${from ? ' after the first' : ''}), got ${count}`,
    );
  }
  const weights = getBlockWeights(config);
  const cumulative = [0];
  for (const w of weights) cumulative.push(cumulative[cumulative.length - 1]! + w);
  const bounds = [from];
  for (let s = 1; s < count; s++) {
    const target = cumulative[from]! + ((cumulative[total]! - cumulative[from]!) * s) / count;
    // Leave at least one block for each later segment and take at least one for this one.
    let best = bounds[s - 1]! + 1;
    for (let j = best; j <= total - (count - s); j++) {
      if (Math.abs(cumulative[j]! - target) < Math.abs(cumulative[best]! - target)) best = j;
    }
    bounds.push(best);
  }
  bounds.push(total);
  const toRanges = (start: number, end: number) => ({
    double: [Math.min(start, config.depth), Math.min(end, config.depth)] as [number, number],
    single: [Math.max(start - config.depth, 0), Math.max(end - config.depth, 0)] as [number, number],
  });
  return bounds.slice(0, -1).map((start, index) => ({ index, ...toRanges(start, bounds[index + 1]!) }));
}

/** Parameter count of each block in chain order; the embeddings count with the first, the final layer with the last. */
function getBlockWeights(config: DitConfig): number[] {
  const total = config.depth + config.depthSingleBlocks;
  const weights = new Array<number>(total).fill(0);
  for (const [name, shape] of getDitTensorShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const match = /^(double|single)_blocks\.(\d+)\./.exec(name);
    if (match) weights[Number(match[2]) + (match[1] === 'single' ? config.depth : 0)]! += size;
    else weights[name.startsWith('final_layer.') ? total - 1 : 0]! += size;
  }
  return weights;
}
