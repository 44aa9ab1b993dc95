import { EngineError } from '../api/errors';
import type { FirstBlockCache } from '../kontext/firstBlockCache';
import type { OrtSession, OrtTensor } from './ort';

/** Runs `segments` in order on `values`, adding their outputs (`x_out` as `x`); returns the tensors made. */
async function runInto(segments: OrtSession[], values: Record<string, OrtTensor>, first = 0): Promise<OrtTensor[]> {
  const made: OrtTensor[] = [];
  for (const [j, session] of segments.entries()) {
    const feeds: Record<string, OrtTensor> = {};
    for (const name of session.inputNames) {
      if (!values[name])
        throw new EngineError(
          'bad-model',
          `DiT segment ${first + j} needs "${name}", which no earlier segment produced`,
        );
      feeds[name] = values[name];
    }
    for (const [name, tensor] of Object.entries(await session.run(feeds))) {
      values[name.replace(/_out$/, '')] = tensor;
      made.push(tensor);
    }
  }
  return made;
}

/** The velocity out of `values`, and every other tensor made (the caller disposes them once it is used). */
function takeVelocity(values: Record<string, OrtTensor>, made: OrtTensor[]) {
  if (!values.velocity) throw new EngineError('bad-model', 'the DiT has no output "velocity"');
  return { velocity: values.velocity, intermediates: made.filter((t) => t !== values.velocity) };
}

/**
 * Runs the DiT's segments back to back (docs/graph-contract.md, DiT segments): each segment takes what it
 * needs by name from the contract inputs and earlier outputs, and an output `x_out` feeds the next input `x`.
 * Returns the velocity and the intermediate tensors, which the caller disposes once the velocity is used.
 */
export async function runDitSegments(
  segments: OrtSession[],
  inputs: Record<string, OrtTensor>,
): Promise<{ velocity: OrtTensor; intermediates: OrtTensor[] }> {
  const values = { ...inputs };
  return takeVelocity(values, await runInto(segments, values));
}

/** Tensor I/O the cached run needs: a read that leaves GPU tensors usable, and a CPU tensor. */
export interface CacheTensorIo {
  read(tensor: OrtTensor): Promise<Float32Array>;
  tensor(data: Float32Array, dims: readonly number[]): OrtTensor;
}

/**
 * The same DiT evaluation with a first-block cache, on a first-block-cache layout ([first block][…][final
 * layer], manifest `dit_first_block_cache`): the first segment always runs; the middle ones only when `cache`
 * decides the step cannot reuse the last full step's residual; the final layer always runs.
 */
export async function runDitSegmentsCached(
  segments: OrtSession[],
  inputs: Record<string, OrtTensor>,
  cache: FirstBlockCache,
  io: CacheTensorIo,
): Promise<{ velocity: OrtTensor; intermediates: OrtTensor[] }> {
  if (segments.length < 3) throw new EngineError('bad-model', 'a first-block cache needs at least 3 DiT segments');
  const values = { ...inputs };
  const made = await runInto(segments.slice(0, 1), values);
  const { first_residual: residualTensor, img_hidden: firstOut } = values;
  if (!residualTensor || !firstOut)
    throw new EngineError('bad-model', 'DiT segment 0 has no "first_residual" or "img_hidden_out"');
  const residual = await io.read(residualTensor);
  const firstData = await io.read(firstOut);
  if (cache.decide(residual)) {
    values.img_hidden = io.tensor(cache.apply(firstData), firstOut.dims);
  } else {
    made.push(...(await runInto(segments.slice(1, -1), values, 1)));
    cache.store(residual, firstData, await io.read(values.img_hidden!));
  }
  made.push(...(await runInto(segments.slice(-1), values, segments.length - 1)));
  return takeVelocity(values, made);
}
