/**
 * @file Runs in a real Chromium page: edits (a turn, then variations with the same prompt and image) through
 * the engine's pipeline on onnxruntime-web's WebGPU EP under a VRAM budget that forces one memory plan, so
 * e2e/memoryPlan.spec.ts can check the sessions each phase opened and the GPU bytes it really held.
 */
import * as ort from 'onnxruntime-web/webgpu';
import type { EditJob } from '../../workers/api/jobs';
import { runEdit } from '../../workers/kontext/edit';
import { requestGpu } from '../../workers/runtime/gpu';
import { countGpuBytes } from '../../workers/runtime/gpuBytes';
import { hashImage } from '../../workers/runtime/hashImage';
import { createSessionModels, planFor } from '../../workers/runtime/kontextModels';
import { getComponentBytes, type MemoryPlan } from '../../workers/runtime/memoryPlan';
import { recordPhaseMemory } from '../../workers/runtime/phaseMemory';
import { openBundle } from '../../tools/bench/browserBundle';

/** The budget (bytes) that gives `kind` for this bundle on this device: the activation reserve plus the weights. */
function budgetFor(kind: MemoryPlan['kind'], bytes: MemoryPlan['bytes'], reserve: number): number {
  const ditAe = bytes.dit + bytes.aeEncoder + bytes.aeDecoder + bytes.previewDecoder;
  return reserve + (kind === 'dit-ae-resident' ? ditAe : Math.max(...Object.values(bytes))); // the largest alone
}

/** `count` edits (the first a turn, the rest variations of it); what each phase opened and held, and live bytes after. */
export async function editTimes(url: string, kind: MemoryPlan['kind'], count: number) {
  const { manifest, tokenizers, load } = await openBundle(url);
  const gpu = await requestGpu(navigator.gpu);
  if (!('device' in gpu)) throw new Error(`no WebGPU: ${gpu.reason}`);
  const target = { backend: 'webgpu' as const, device: gpu.device };
  const bytes = getComponentBytes(manifest);
  const plan = planFor(manifest, target, budgetFor(kind, bytes, planFor(manifest, target, null).reserve));
  const models = createSessionModels(ort, target, manifest, load, { plan });
  const counter = countGpuBytes(gpu.device);
  const [width, height] = manifest.sampling.resolutions[0]!;
  const data = new Uint8ClampedArray(4 * width * height).map((_, i) => (i * 7) & 255);
  const cache = { text: new Map(), images: new Map() };
  const edits = [];
  try {
    for (let seed = 1; seed <= count; seed++) {
      const job: EditJob = {
        ...{ id: `edit-${seed}`, bundleId: manifest.id, image: { width, height, data }, prompt: 'make it red' },
        ...{ references: [], mask: null, steps: 2, guidance: 2.5, average: 1, seed, size: 'input' },
        ...{ previewEvery: 0, keepUnchanged: false },
      };
      const memory = recordPhaseMemory(models);
      await runEdit(job, { manifest, tokenizers, models, cache, hashImage, onPhase: memory.enter });
      memory.enter(null);
      edits.push({ phases: memory.phases, liveAfter: counter.live });
    }
    return { plan: plan.kind, mode: plan.storageBufferCacheMode, bytes, edits };
  } finally {
    await models.release();
    gpu.device.destroy();
  }
}
