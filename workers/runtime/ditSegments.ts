import { EngineError } from '../api/errors';
import type { OrtSession, OrtTensor } from './ort';

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
  const intermediates: OrtTensor[] = [];
  for (const [i, session] of segments.entries()) {
    const feeds: Record<string, OrtTensor> = {};
    for (const name of session.inputNames) {
      if (!values[name])
        throw new EngineError('bad-model', `DiT segment ${i} needs "${name}", which no earlier segment produced`);
      feeds[name] = values[name];
    }
    for (const [name, tensor] of Object.entries(await session.run(feeds))) {
      values[name.replace(/_out$/, '')] = tensor;
      if (name !== 'velocity') intermediates.push(tensor);
    }
  }
  if (!values.velocity) throw new EngineError('bad-model', 'the DiT has no output "velocity"');
  return { velocity: values.velocity, intermediates };
}
