import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../convert/paths';
import { nodeOrt, nodeOrtObservingRuns } from '../testing/nodeOrt';
import type { EditJob } from '../../workers/api/jobs';
import type { Ort } from '../../workers/runtime/ort';
import { createBundleStore, createMemoryStore } from '../../workers/cache';
import { createEngine } from '../../workers/engine';
import { hashImage } from '../../workers/runtime/hashImage';

const MICRO = join(REPO_ROOT, 'public/bundles/kontext-micro');

/** The embedded bundle stored in a fresh engine, nothing opened yet. */
async function freshEngine(ort: Ort = nodeOrt) {
  const engine = createEngine({
    loadOrt: async () => ort,
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

async function runEdits(engine: Awaited<ReturnType<typeof freshEngine>>['engine'], bundleId: string, count: number) {
  const runs: { ms: number; sessionsCreated: number }[] = [];
  for (let n = 0; n < count; n++) {
    const start = performance.now();
    const result = await engine.edit(job(bundleId, n), () => undefined);
    runs.push({ ms: performance.now() - start, sessionsCreated: result.memory.sessionsCreated });
  }
  return runs;
}

describe('warm-up on selectBundle (kontext-micro, onnxruntime-node)', () => {
  it('opens the bundle ahead, so the first edit opens no session; prints the first and later edit times', async () => {
    const cold = await freshEngine();
    const coldRuns = await runEdits(cold.engine, cold.bundle.id, 10);

    const warm = await freshEngine();
    const prepStart = performance.now();
    await warm.engine.selectBundle(warm.bundle.id);
    const prepareMs = performance.now() - prepStart;
    const warmRuns = await runEdits(warm.engine, warm.bundle.id, 10);

    const times = (v: typeof coldRuns) => v.map((r) => Math.round(r.ms)).join(', ');
    console.info(
      `prepare ${Math.round(prepareMs)} ms; without it, edits 1-10: ${times(coldRuns)} ms; after it: ${times(warmRuns)} ms`,
    );
    // Counts, not times (times are the bench's job): without preparing, the first edit opens the sessions.
    expect(coldRuns[0]!.sessionsCreated).toBeGreaterThan(0);
    expect(warmRuns.map((r) => r.sessionsCreated)).toEqual(Array(10).fill(0));
  }, 300_000);
});

/** nodeOrt whose sessions count the AE encoder's runs (the only graph fed an `image`): a count, not a timing. */
function countingEncoderRuns() {
  const counter = { encoderRuns: 0 };
  const ort = nodeOrtObservingRuns((_session, feeds) => {
    if ('image' in feeds) counter.encoderRuns++;
  });
  return { ort, counter };
}

describe('prepareImages (kontext-micro, onnxruntime-node)', () => {
  it('encodes an image ahead of its edit: same result, the edit skips the encoder; only the newest request runs', async () => {
    const { ort, counter } = countingEncoderRuns();
    const { engine, bundle } = await freshEngine(ort);
    const encoderRunsOf = async <T>(work: () => Promise<T>) => {
      const before = counter.encoderRuns;
      const result = await work();
      return { result, runs: counter.encoderRuns - before };
    };
    const image = job(bundle.id, 1).image;
    expect(await engine.prepareImages(bundle.id, [image])).toBe(false); // not open on this backend yet
    await engine.selectBundle(bundle.id);

    const plain = await engine.edit(job(bundle.id, 1), () => undefined);
    const requests = await encoderRunsOf(async () => {
      const stale = engine.prepareImages(bundle.id, [job(bundle.id, 2).image]);
      const newest = engine.prepareImages(bundle.id, [job(bundle.id, 3).image]);
      return [await stale, await newest];
    });
    expect(requests).toEqual({ result: [false, true], runs: 1 }); // the stale request encoded nothing
    const { result: prepared, runs: preparedRuns } = await encoderRunsOf(() =>
      engine.edit({ ...job(bundle.id, 3), id: 'after-prepare' }, () => undefined),
    );
    const { result: cold, runs: coldRuns } = await encoderRunsOf(() => engine.edit(job(bundle.id, 4), () => undefined));

    const encodeMs = (r: typeof plain) => r.timings['encoding-images']!.toFixed(1);
    console.info(`encoding-images: prepared ${encodeMs(prepared)} ms, not prepared ${encodeMs(cold)} ms`);
    expect([preparedRuns, coldRuns]).toEqual([0, 1]);
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
