/**
 * @file The preview fit's decoder session on onnxruntime-web's WASM backend, on one thread, given the runtime
 * module: Node passes onnxruntime-web's Node build (node/wasmDecoder.ts), the browser's conversion worker the
 * app's own build. The same kernels on one thread give the same floats, so both write the same manifest.json.
 */
import type * as OrtWeb from 'onnxruntime-web';
import type { OpenDecoder } from './previewFit';

/** The parts of onnxruntime-web the fit uses. */
type OrtModule = Pick<typeof OrtWeb, 'InferenceSession' | 'Tensor' | 'env'>;

/** An OpenDecoder running the AE decoder on `loadOrt()`'s WASM backend (one thread, set before the first session). */
export function makeWasmDecoderOpener(loadOrt: () => Promise<OrtModule>): OpenDecoder {
  return async (graph, externalData) => {
    const ort = await loadOrt();
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(graph, { executionProviders: ['wasm'], externalData });
    return {
      async run(latent, dims) {
        const out = await session.run({ latent: new ort.Tensor('float32', latent, dims) });
        if (!out.image) throw new Error(`the AE decoder has no 'image' output`);
        return out.image.data as Float32Array;
      },
      release: () => session.release(),
    };
  };
}
