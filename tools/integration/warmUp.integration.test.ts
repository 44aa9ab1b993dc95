import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../convert/paths';
import { nodeOrt } from '../testing/nodeOrt';
import type { EditJob } from '../../workers/api/jobs';
import { createBundleStore, createMemoryStore } from '../../workers/cache';
import { createEngine } from '../../workers/engine';
import { hashImage } from '../../workers/runtime/hashImage';

const MICRO = join(REPO_ROOT, 'public/bundles/kontext-micro');

/** The embedded bundle stored in a fresh engine, nothing opened yet. */
async function freshEngine() {
  const engine = createEngine({
    loadOrt: async () => nodeOrt,
    gpu: undefined,
    ortBuild: 'jspi',
    ortVersion: 'node',
    crossOriginIsolated: false,
    hardwareConcurrency: 2,
    hashImage,
    bundles: createBundleStore({ store: createMemoryStore(), fetch, subtle: crypto.subtle, storage: null }),
  });
  await engine.init('wasm');
  const files = readdirSync(MICRO)
    .filter((f) => f !== 'build-stamp.json')
    .map((f) => new File([readFileSync(join(MICRO, f))], f));
  const bundle = await engine.addBundle({ kind: 'files', files }, () => undefined);
  return { engine, bundle };
}

function job(bundleId: string, n: number): EditJob {
  const data = new Uint8ClampedArray(64 * 64 * 4).map((_, i) => (i * 7 + n * 31) & 255);
  return {
    id: `edit-${n}`,
    bundleId,
    image: { width: 64, height: 64, data }, // a new image and prompt each time: no encoder cache hits
    prompt: `make the circle ${['red', 'blue', 'green', 'white'][n % 4]} ${n}`,
    references: [],
    mask: null,
    steps: 2,
    guidance: 2.5,
    average: 4,
    seed: n,
    size: 'input',
    previewEvery: 0,
    keepUnchanged: true,
  };
}

async function timeEdits(engine: Awaited<ReturnType<typeof freshEngine>>['engine'], bundleId: string, count: number) {
  const ms: number[] = [];
  for (let n = 0; n < count; n++) {
    const start = performance.now();
    await engine.edit(job(bundleId, n), () => undefined);
    ms.push(performance.now() - start);
  }
  return ms;
}

describe('warm-up on selectBundle (kontext-micro, onnxruntime-node)', () => {
  it('opens the bundle and runs the warm-up edit ahead, so the first edit costs about what the tenth does', async () => {
    const cold = await freshEngine();
    const coldMs = await timeEdits(cold.engine, cold.bundle.id, 10);

    const warm = await freshEngine();
    const prepStart = performance.now();
    await warm.engine.selectBundle(warm.bundle.id);
    const prepareMs = performance.now() - prepStart;
    const warmMs = await timeEdits(warm.engine, warm.bundle.id, 10);

    const round = (v: number[]) => v.map((x) => Math.round(x));
    console.info(
      `prepare ${Math.round(prepareMs)} ms; without it, edits 1-10: ${round(coldMs).join(', ')} ms; ` +
        `after it: ${round(warmMs).join(', ')} ms`,
    );
    const later = (v: number[]) => v.slice(5).reduce((a, b) => a + b, 0) / 5;
    // The first edit without preparing pays for opening the sessions; after preparing it does not.
    expect(coldMs[0]!).toBeGreaterThan(warmMs[0]!);
    expect(warmMs[0]!).toBeLessThan(later(warmMs) * 3 + 100);
  }, 300_000);
});

describe('prepareImages (kontext-micro, onnxruntime-node)', () => {
  it('encodes an image ahead of its edit: same result, the edit skips the encoder; only the newest request runs', async () => {
    const { engine, bundle } = await freshEngine();
    const image = job(bundle.id, 1).image;
    expect(await engine.prepareImages(bundle.id, [image])).toBe(false); // not open on this backend yet
    await engine.selectBundle(bundle.id);

    const plain = await engine.edit(job(bundle.id, 1), () => undefined);
    const stale = engine.prepareImages(bundle.id, [job(bundle.id, 2).image]);
    const newest = engine.prepareImages(bundle.id, [job(bundle.id, 3).image]);
    expect([await stale, await newest]).toEqual([false, true]);
    const prepared = await engine.edit({ ...job(bundle.id, 3), id: 'after-prepare' }, () => undefined);
    const cold = await engine.edit(job(bundle.id, 4), () => undefined);

    const encodeMs = (r: typeof plain) => r.timings['encoding-images']!;
    console.info(
      `encoding-images: prepared ${encodeMs(prepared).toFixed(1)} ms, not prepared ${encodeMs(cold).toFixed(1)} ms`,
    );
    expect(encodeMs(prepared)).toBeLessThan(encodeMs(cold) / 2);
    const again = await engine.edit({ ...job(bundle.id, 3), id: 'again' }, () => undefined);
    expect(Buffer.from(prepared.image.data).equals(Buffer.from(again.image.data))).toBe(true);
    expect(Buffer.from(plain.image.data).equals(Buffer.from(prepared.image.data))).toBe(false);
  }, 300_000);
});

describe('choosing WASM again (kontext-micro, onnxruntime-node)', () => {
  it('keeps the warmed sessions when the engine already runs on WASM, as after Auto chose it', async () => {
    const { engine, bundle } = await freshEngine();
    await engine.selectBundle(bundle.id);
    expect((await engine.init('wasm')).backend).toBe('wasm');
    const edit = await engine.edit(job(bundle.id, 5), () => undefined);
    expect(edit.memory.sessionsCreated).toBe(0);
  }, 300_000);
});
