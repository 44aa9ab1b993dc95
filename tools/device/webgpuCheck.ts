/**
 * @file Does onnxruntime-node's WebGPU EP get an adapter here, and compute right on it? The small known-answer
 * attention check (workers/runtime/attentionCheck.ts) on that EP, before tools/device/bench-gpu.sh spends a
 * GPU machine's minutes on the bench. Exits 0 when it passes, 2 when the adapter computes it wrong (the bench still
 * runs and records its own check: SwiftShader here fails it), 1 when there is no adapter at all.
 */
import { nodeWebGpuOrt } from '../testing/nodeOrt';
import { ATTENTION_TOLERANCE, measureAttentionErrorOn } from '../../workers/runtime/attentionCheck';

// The 'wasm' target runs on nodeWebGpuOrt's WebGPU EP (nodeOrt.ts maps the CPU provider to it).
measureAttentionErrorOn(nodeWebGpuOrt, { backend: 'wasm' }).then(
  (error) => {
    console.log(`WebGPU EP: attention check max error ${error.toExponential(1)} (tolerance ${ATTENTION_TOLERANCE})`);
    process.exit(error <= ATTENTION_TOLERANCE ? 0 : 2);
  },
  (e: unknown) => {
    console.log(`WebGPU EP: no working adapter: ${(e as Error).message}`);
    process.exit(1);
  },
);
