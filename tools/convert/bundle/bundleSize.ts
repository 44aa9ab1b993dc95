/**
 * @file How much a conversion will write, known before it starts, so a front end can refuse a folder that cannot
 * fit instead of stopping at a full store an hour in. A lower bound: int4 Linear weights take half a byte per
 * parameter before their scales, and the AE (never int4) a full float per parameter before its staged copy.
 */
import type { WeightFormat } from '../graphs/types';
import type { TensorSource } from '../safetensors';
import type { OpenedModel } from './convertModel';

const countElements = (src: TensorSource) =>
  src.listTensors().reduce((n, t) => n + t.shape.reduce((m, d) => m * d, 1), 0);

/** Bytes per parameter at least, for the transformer-side components and for the AE. */
function getBytesPerParameter(weights: WeightFormat): { quantized: number; ae: number } {
  if (weights === 'int4') return { quantized: 0.5, ae: 4 };
  const bytes = weights === 'fp16' ? 2 : 4;
  return { quantized: bytes, ae: bytes };
}

/**
 * A lower bound of the bytes the conversion of `model` writes in the steps not yet `done`.
 * (FLUX.1 Kontext [dev] to int4: 8.7 GB; its bundle is about 11 GB.)
 */
export function estimateBundleBytes(
  model: Pick<OpenedModel, 'inputs'>,
  weights: WeightFormat,
  done: Partial<Record<'dit' | 't5' | 'clip' | 'ae', unknown>> = {},
): number {
  const per = getBytesPerParameter(weights);
  const { dit, t5, clip, ae } = model.inputs;
  const steps: ['dit' | 't5' | 'clip' | 'ae', TensorSource, number][] = [
    ['dit', dit, per.quantized],
    ['t5', t5, per.quantized],
    ['clip', clip, per.quantized],
    ['ae', ae, per.ae],
  ];
  return steps.filter(([step]) => !done[step]).reduce((n, [, src, bytes]) => n + countElements(src) * bytes, 0);
}
