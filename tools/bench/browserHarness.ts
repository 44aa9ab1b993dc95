/**
 * @file The page half of `npm run bench`, loaded through Vite into a Chromium page: starts the bench worker
 * (benchWorker.ts) and forwards to it, and counts WebGPU readbacks per step on one edit (in the page).
 */
import * as Comlink from 'comlink';
import { requestGpu } from '../../workers/runtime/gpu';
import { hashImage } from '../../workers/runtime/hashImage';
import { createSessionModels } from '../../workers/runtime/kontextModels';
import { importOrt } from '../../workers/runtime/ortBuild';
import type { RuntimeTarget } from '../../workers/runtime/ort';
import { recordPhaseMemory } from '../../workers/runtime/phaseMemory';
import type { EditMemory } from '../../workers/api/jobs';
import { openBundle } from './browserBundle';
import type { BenchWorkerApi } from './benchWorker';
import { runBenchEdit } from './editBench';
import type { SettleOptions } from './settle';

export interface WebGpuEditCounts extends Pick<EditMemory, 'plan' | 'storageBufferCacheMode' | 'phases'> {
  steps: number;
  inStep: number;
  other: number;
}

/** The worker, as the app starts its engine: a module Worker of the same origin. */
export const worker = Comlink.wrap<BenchWorkerApi>(
  new Worker(new URL('./benchWorker.ts', import.meta.url), { type: 'module' }),
);

declare global {
  interface Window {
    /** The renderer's CPU time, ms, read by the bench over the DevTools protocol (run.ts exposes it). */
    benchCpuMs?: () => Promise<number>;
  }
}

/** The edit benchmark in the worker, with the page's CPU clock when the bench exposed one. */
export function benchWasm(url: string, options: SettleOptions) {
  const clock = window.benchCpuMs;
  return worker.benchWasm(url, options, clock ? Comlink.proxy(() => clock()) : undefined);
}

/**
 * One edit on the WebGPU EP at 2 steps, 1 run: readbacks inside denoising steps, per step, and the memory plan
 * with the bytes each phase held (weights planned, GPU buffers live at the peak).
 */
export async function countWebGpuReadbacks(url: string): Promise<WebGpuEditCounts> {
  const { manifest, tokenizers, load } = await openBundle(url);
  const gpu = await requestGpu(navigator.gpu);
  if (!('device' in gpu)) throw new Error(gpu.reason);
  const target: RuntimeTarget = { backend: 'webgpu', device: gpu.device };
  const models = createSessionModels(await importOrt(), target, manifest, load);
  const short = { ...manifest, sampling: { ...manifest.sampling, defaultSteps: 2, defaultAverage: 1 } };
  const memory = recordPhaseMemory(models);
  await runBenchEdit({ manifest: short, tokenizers, models, hashImage, onPhase: memory.enter }, 0, {
    text: 0,
    aeEncode: 0,
    dit: 0,
    aeDecode: 0,
  });
  memory.enter(null);
  const r = models.readbacks;
  await models.release();
  gpu.device.destroy();
  const { kind, storageBufferCacheMode } = models.plan;
  return { steps: 2, inStep: r.inStep, other: r.other, plan: kind, storageBufferCacheMode, phases: memory.phases };
}
