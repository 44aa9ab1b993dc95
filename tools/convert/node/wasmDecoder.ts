/**
 * @file The preview fit's decoder session in Node: onnxruntime-web (its Node build, WASM backend, one
 * thread), the same kernels the browser's conversion worker runs, so both write the same manifest.json.
 */
import type * as OrtWeb from 'onnxruntime-web';
import type { OpenDecoder } from '../bundle/previewFit';

let ortPromise: Promise<typeof OrtWeb> | undefined;

function loadOrtWeb(): Promise<typeof OrtWeb> {
  ortPromise ??= import('onnxruntime-web').then((m) => {
    const ort = ((m as { default?: unknown }).default ?? m) as typeof OrtWeb;
    ort.env.wasm.numThreads = 1;
    return ort;
  });
  return ortPromise;
}

/** Opens the AE decoder on onnxruntime-web's WASM backend. */
export const openWasmDecoder: OpenDecoder = async (graph, externalData) => {
  const ort = await loadOrtWeb();
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
