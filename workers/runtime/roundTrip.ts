/**
 * @file The autoencoder round trip's session work: an encoder and a decoder session on `target`, one run
 * each, timed, and both released whatever happens. Pixel conversion and checks stay with the caller.
 */
import { EngineError } from '../api/errors';
import type { ModelFiles } from '../api/types';
import type { Ort, OrtSession, RuntimeTarget } from './ort';
import { createSession } from './session';

/** A float32 tensor read back to the CPU. */
interface HostTensor {
  data: Float32Array;
  dims: number[];
}

/** The encoder's latent, the decoder's image [1, 3, H, W] and how long each run took. */
interface AutoencoderPass {
  latent: HostTensor;
  decoded: HostTensor;
  encodeMs: number;
  decodeMs: number;
}

/** Runs `session` on one float32 input and reads one output back. */
async function runOne(session: OrtSession, ort: Ort, input: string, tensor: HostTensor, output: string) {
  const feeds = { [input]: new ort.Tensor('float32', tensor.data, tensor.dims) };
  const results = await session.run(feeds);
  const result = results[output];
  if (!result)
    throw new EngineError(
      'bad-model',
      `the model has no output "${output}" (it has ${session.outputNames.join(', ')})`,
    );
  return { data: (await result.getData()) as Float32Array, dims: [...result.dims] };
}

/**
 * Encodes `image` ([1, 3, H, W], in [-1, 1]) with `encoder` and decodes the latent with `decoder`.
 * @throws EngineError from createSession, or `bad-model` when a graph lacks its "latent"/"image" output.
 */
export async function runAutoencoder(
  ort: Ort,
  target: RuntimeTarget,
  encoder: ModelFiles,
  decoder: ModelFiles,
  image: HostTensor,
): Promise<AutoencoderPass> {
  const sessions: OrtSession[] = [];
  try {
    const enc = await createSession(ort, encoder, target);
    sessions.push(enc);
    const dec = await createSession(ort, decoder, target);
    sessions.push(dec);
    const t0 = performance.now();
    const latent = await runOne(enc, ort, 'image', image, 'latent');
    const t1 = performance.now();
    const decoded = await runOne(dec, ort, 'latent', latent, 'image');
    const t2 = performance.now();
    return { latent, decoded, encodeMs: t1 - t0, decodeMs: t2 - t1 };
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
}
