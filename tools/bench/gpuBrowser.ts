/**
 * @file The page half of `npm run bench:gpu`, loaded through Vite into Chromium: the adapter the page sees (with
 * its limits), and one bundle stored in IndexedDB by the engine's bundle store, then measured from there on a
 * WebGPU device (gpuMeasure.ts). Results leave as console lines `bench:gpu <json>` the moment they exist, so a
 * run cut short by its deadline still reports what it measured.
 */
import { parseManifest } from '../../workers/bundle/manifest';
import { getFp16Components } from '../../workers/bundle/precision';
import { requestGpu } from '../../workers/runtime/gpu';
import { planFor } from '../../workers/runtime/kontextModels';
import { importOrt } from '../../workers/runtime/ortBuild';
import { openStore } from './cacheBrowser';
import { measureBundle } from './gpuMeasure';
import { RESULT_PREFIX } from './gpuPlan';

const report = (key: string, value: unknown) => console.log(RESULT_PREFIX + JSON.stringify({ key, value }));

/** Every limit the device has (GPUSupportedLimits' getters live on its prototype). */
function listLimits(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(Object.getPrototypeOf(limits) as object)) {
    const v = (limits as unknown as Record<string, unknown>)[name];
    if (typeof v === 'number') out[name] = v;
  }
  return out;
}

/** The adapter the page gets, described (no device kept), or why there is none. */
export async function probeAdapter() {
  const gpu = await requestGpu(navigator.gpu);
  if (!('device' in gpu)) return { reason: gpu.reason };
  const result = { ...gpu.info, features: [...gpu.device.features].sort(), limits: listLimits(gpu.device.limits) };
  gpu.device.destroy();
  return result;
}

/**
 * Stores the bundle at `url` in IndexedDB (timed), measures it from there, and deletes it again (a full-size
 * bundle is 10 GB of the profile's disk). `budgetBytes`: the VRAM budget the memory plan is made for.
 */
export async function runBundle(url: string, sizes: number[], deadline: number, budgetBytes: number): Promise<void> {
  // Before 10 GB go into IndexedDB: whether this adapter can run the bundle at all.
  const manifest = parseManifest(await (await fetch(`${url}manifest.json`)).json());
  const gpu = await requestGpu(navigator.gpu);
  if (!('device' in gpu)) throw new Error(gpu.reason);
  if (getFp16Components(manifest.precision).length > 0 && !gpu.info.shaderF16) {
    report('skipped', 'fp16 activations need shader-f16, which this adapter lacks');
    gpu.device.destroy();
    return;
  }
  const store = openStore('bench-gpu');
  for (const old of await store.listBundles()) await store.deleteBundle(old.id);
  let t = performance.now();
  const info = await store.addBundle({ kind: 'url', url }, () => undefined);
  report('store', { ms: performance.now() - t, bytes: info.totalBytes });
  try {
    const target = { backend: 'webgpu' as const, device: gpu.device };
    t = performance.now();
    const ort = await importOrt();
    report('runtime', { importMs: performance.now() - t });
    await measureBundle({
      ort,
      target,
      manifest,
      plan: planFor(manifest, target, budgetBytes),
      load: async (g) => ({
        name: g.graph,
        graph: await store.getFile(info.id, g.graph),
        externalData: await Promise.all(
          g.data.map(async (path) => ({ path, data: await store.getFile(info.id, path) })),
        ),
      }),
      sizes,
      deadline,
      record: report,
    });
  } finally {
    gpu.device.destroy();
    await store.deleteBundle(info.id);
  }
}
