/**
 * @file The Node runtime of `npm run bench:gpu`, in a process of its own (gpuChild.ts):
 * `tsx tools/bench/gpuNodeRun.ts <bundle-dir> <sizes> <deadline-ms>` measures the bundle from disk on
 * onnxruntime-node's WebGPU EP (gpuMeasure.ts) and prints each result as a `bench:gpu <json>` line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest } from '../../workers/bundle/manifest';
import { folderGraphLoader } from '../testing/folderEngine';
import { nodeWebGpuOrt } from '../testing/nodeOrt';
import { measureBundle } from './gpuMeasure';
import { RESULT_PREFIX } from './gpuPlan';

async function main(): Promise<void> {
  const [dir, sizes, deadline] = process.argv.slice(2);
  if (!dir || !sizes || !deadline)
    throw new Error('usage: tsx tools/bench/gpuNodeRun.ts <bundle-dir> <sizes> <deadline-ms>');
  await measureBundle({
    ort: nodeWebGpuOrt,
    target: { backend: 'wasm' }, // mapped to onnxruntime-node's WebGPU EP (nodeOrt.ts)
    manifest: parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))),
    load: folderGraphLoader(dir),
    sizes: sizes.split(',').map(Number),
    deadline: Number(deadline),
    record: (key, value) => console.log(RESULT_PREFIX + JSON.stringify({ key, value })),
  });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
