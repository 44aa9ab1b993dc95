import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../convert/paths';
import { openFolderEngine } from '../testing/folderEngine';
import type { EditJob, EditResult, JobPhase } from '../../workers/api/jobs';
import { parseManifest } from '../../workers/bundle/manifest';
import { getComponentBytes } from '../../workers/runtime/memoryPlan';
import { readJsonFile } from '../convert/node/nodeFiles';

const MICRO = join(REPO_ROOT, 'public/bundles/kontext-micro');
const GiB = 1024 ** 3;

function job(bundleId: string, prompt: string, imageSeed: number, seed: number): EditJob {
  const data = new Uint8ClampedArray(64 * 64 * 4).map((_, i) => (i * 7 + imageSeed * 31) & 255);
  return {
    id: crypto.randomUUID(),
    bundleId,
    image: { width: 64, height: 64, data },
    prompt,
    references: [],
    mask: null,
    steps: 2,
    guidance: 2.5,
    average: 1,
    seed,
    size: 'input',
    previewEvery: 0,
    keepUnchanged: false,
  };
}

const PHASES: JobPhase[] = ['encoding-text', 'encoding-images', 'denoising', 'decoding'];
const created = (r: EditResult) => PHASES.map((p) => r.memory.phases[p]?.sessionsCreated ?? 0);

// kontext-micro on onnxruntime-node (the WASM target's accounting; Chromium checks the same in e2e/memoryPlan.spec.ts).
// Each budget: a first edit settles the new plan, then a new turn (new prompt, new image) and a variation of it
// (same prompt and image, another seed): the sessions each phase opens show what stayed resident.
describe('the memory planner on kontext-micro (onnxruntime-node)', () => {
  const bytes = getComponentBytes(parseManifest(readJsonFile(join(MICRO, 'manifest.json'))));
  let engine: Awaited<ReturnType<typeof openFolderEngine>>['engine'];
  let bundleId: string;
  let n = 0;

  beforeAll(async () => {
    ({
      engine,
      bundle: { id: bundleId },
    } = await openFolderEngine(MICRO));
  });

  /** Sets `budget` (bytes) and returns the turn's and the variation's results after one settling edit. */
  async function turnAndVariation(budget: number | null) {
    await engine.setMemoryBudget(budget === null ? null : budget / GiB);
    n++;
    await engine.edit(job(bundleId, `settle ${n}`, 100 + n, 1), () => undefined);
    const started = performance.now();
    const turn = await engine.edit(job(bundleId, `make the circle red ${n}`, n, 1), () => undefined);
    const turnMs = performance.now() - started;
    const variation = await engine.edit(job(bundleId, `make the circle red ${n}`, n, 2), () => undefined);
    const ms = performance.now() - started - turnMs;
    console.info(
      `${turn.memory.plan} (budget ${budget ?? 'none'} B): sessions per phase [text, images, denoise, decode] ` +
        `turn ${created(turn).join('/')} in ${turnMs.toFixed(0)} ms, variation ${created(variation).join('/')} in ${ms.toFixed(0)} ms; ` +
        `weights held per phase ${PHASES.map((p) => turn.memory.phases[p]?.sessionBytes).join('/')} B`,
    );
    for (const r of [turn, variation]) {
      for (const p of PHASES) {
        expect(r.memory.phases[p]!.sessionBytes).toBeLessThanOrEqual(budget ?? Infinity);
        expect(r.memory.phases[p]!.gpuBytes).toBeNull(); // WASM: no GPU buffers
      }
      expect(r.memory.sessionsCreated).toBe(created(r).reduce((a, b) => a + b));
      expect(r.memory.storageBufferCacheMode).toBeNull();
    }
    return { turn, variation };
  }

  it('with no budget keeps every session: a turn and a variation open none', async () => {
    const { turn, variation } = await turnAndVariation(null);
    expect(turn.memory.plan).toBe('all-resident');
    expect(created(turn)).toEqual([0, 0, 0, 0]);
    expect(created(variation)).toEqual([0, 0, 0, 0]);
    const all = Object.values(bytes).reduce((a, b) => a + b);
    expect(turn.memory.phases.decoding!.sessionBytes).toBe(all);
  });

  it('with room for the DiT and the AE only, the DiT stays: a new prompt reopens the text encoders and the AE encoder they displaced', async () => {
    const budget = bytes.dit + bytes.aeEncoder + bytes.aeDecoder;
    const { turn, variation } = await turnAndVariation(budget);
    expect(turn.memory.plan).toBe('dit-ae-resident');
    expect(created(turn)).toEqual([2, 1, 0, 0]);
    expect(created(variation)).toEqual([0, 0, 0, 0]); // the prompt's T5/CLIP output and the image's latents are cached
    expect(turn.memory.phases.denoising!.sessionBytes).toBe(budget); // the DiT beside the whole AE
  });

  it('with room for the DiT alone, phases replace each other: the DiT is reopened every edit, variations too', async () => {
    const budget = bytes.dit + bytes.t5 + bytes.clip;
    const { turn, variation } = await turnAndVariation(budget);
    expect(turn.memory.plan).toBe('per-phase');
    expect(created(turn)).toEqual([2, 1, 1, 1]);
    expect(created(variation)).toEqual([0, 0, 1, 1]);
  });

  it('refuses a budget outside its limits, and one below the DiT with the sizes named', async () => {
    await expect(engine.setMemoryBudget(0)).rejects.toThrow('The VRAM budget (GiB) must be 0.01–1024, got 0.');
    await expect(engine.setMemoryBudget(Number.NaN)).rejects.toMatchObject({ code: 'bad-input' });
    await engine.setMemoryBudget((bytes.dit - 1) / GiB);
    await expect(engine.edit(job(bundleId, 'too small', 1, 1), () => undefined)).rejects.toMatchObject({
      code: 'out-of-memory',
      message: expect.stringContaining('the DiT alone needs 24.2 MB, and the VRAM budget of 24.2 MB leaves 24.2 MB'),
    });
    await engine.setMemoryBudget(null);
  });
});
