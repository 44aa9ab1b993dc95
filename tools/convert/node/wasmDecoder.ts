/**
 * @file The preview fit's decoder session in Node: onnxruntime-web's Node build on the WASM backend, the same
 * kernels the browser's conversion worker runs (bundle/wasmDecoder.ts), so both write the same manifest.json.
 */
import type * as OrtWeb from 'onnxruntime-web';
import { makeWasmDecoderOpener } from '../bundle/wasmDecoder';

/** Opens the AE decoder on onnxruntime-web's WASM backend. */
export const openWasmDecoder = makeWasmDecoderOpener(() =>
  import('onnxruntime-web').then((m) => ((m as { default?: unknown }).default ?? m) as typeof OrtWeb),
);
