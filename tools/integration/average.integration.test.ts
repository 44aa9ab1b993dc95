/**
 * EditJob.average through runEdit on the tiny converted bundle (onnxruntime-node): the decoder receives the
 * mean of the runs' latents, run r being exactly the plain edit with seed getRunSeed(seed, r); progress counts
 * every run's steps. The tiny bundle's DiT takes a batch (manifest dit_batch): the runs go through one DiT call per
 * step, and give what they give one at a time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openFolderPipeline } from '../testing/folderEngine';
import { nodeOrt } from '../testing/nodeOrt';
import { ensureTinyBundle } from '../testing/tinyBundle';
import type { EditJob } from '../../workers/api/jobs';
import type { RgbaImage } from '../../workers/api/types';
import { runEdit, type EditContext } from '../../workers/kontext/edit';
import type { StepInfo, VelocityInputs } from '../../workers/kontext/models';
import { getRunSeed } from '../../workers/kontext/noise';
import { hashImage } from '../../workers/runtime/hashImage';

function makeImage(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(4 * width * height);
  for (let p = 0; p < width * height; p++)
    data.set([(p * 7) % 256, (p * 13) % 256, 128 + 100 * Math.sin(p / 9), 255], 4 * p);
  return { width, height, data };
}

describe('averaged runs (EditJob.average) on the tiny bundle', async () => {
  const { manifest, tokenizers, models } = openFolderPipeline(await ensureTinyBundle('fp32', 2), nodeOrt);
  afterAll(() => models.release());
  /** Latents handed to the decoder, one entry per edit; runs per DiT call. */
  const decoded: Float32Array[] = [];
  const calls: number[] = [];
  const recording = {
    ...models,
    velocity: (inputs: VelocityInputs) => (calls.push(inputs.runs), models.velocity(inputs)),
    decode: async (latents: Float32Array, h: number, w: number) => (
      decoded.push(latents.slice()),
      models.decode(latents, h, w)
    ),
  };
  const context = (onStep?: (s: StepInfo) => void, batch = true): EditContext => ({
    manifest: { ...manifest, ditBatch: batch },
    tokenizers,
    models: recording,
    cache: { text: new Map(), images: new Map() },
    hashImage,
    onStep: onStep && ((s) => onStep(s)),
  });
  const job = (over: Partial<EditJob>): EditJob => ({
    id: 'j',
    bundleId: manifest.id,
    image: makeImage(64, 64),
    prompt: 'make the red circle blue',
    references: [],
    mask: null,
    steps: 3,
    guidance: 2.5,
    average: 1,
    seed: 11,
    size: 'input',
    previewEvery: 0,
    keepUnchanged: false,
    ...over,
  });

  it('decodes the mean of the runs, each the plain edit from its run seed, and reports steps across runs', async () => {
    expect(manifest.ditBatch).toBe(true);
    decoded.length = 0;
    const single = await runEdit(job({}), context());
    await runEdit(job({ seed: getRunSeed(11, 1) }), context());
    await runEdit(job({ seed: getRunSeed(11, 2) }), context());
    const steps: [number, number][] = [];
    calls.length = 0;
    const averaged = await runEdit(
      job({ average: 3 }),
      context((s) => steps.push([s.step, s.steps])),
    );
    expect(calls).toEqual([3, 3, 3]); // one call per step for the three runs
    expect(decoded).toHaveLength(4);
    const [a, b, c, mean] = decoded as [Float32Array, Float32Array, Float32Array, Float32Array];
    const expected = a.map((v, i) => (v + b[i]! + c[i]!) / 3);
    expect(Math.max(...mean.map((v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(1e-6);
    expect(Math.max(...a.map((v, i) => Math.abs(v - mean[i]!)))).toBeGreaterThan(1e-2); // averaging changed something
    expect(steps).toEqual([2, 5, 8].map((k) => [k, 9])); // a batched step is three of the job's nine
    // One run at a time (a bundle whose graphs are fixed at batch 1): the same mean, nine calls, every step reported.
    steps.length = 0;
    calls.length = 0;
    await runEdit(
      job({ average: 3 }),
      context((s) => steps.push([s.step, s.steps]), false),
    );
    expect(calls).toEqual(Array.from({ length: 9 }, () => 1));
    expect(steps).toEqual(Array.from({ length: 9 }, (_, k) => [k, 9]));
    const unbatched = decoded.pop()!;
    expect(Math.max(...unbatched.map((v, i) => Math.abs(v - mean[i]!)))).toBeLessThan(1e-6);
    expect(Buffer.from(averaged.image.data).equals(Buffer.from(single.image.data))).toBe(false);
    // One run is a plain edit: run 0 uses the seed itself.
    decoded.length = 0;
    await runEdit(job({ average: 1 }), context());
    expect(Buffer.from(decoded[0]!.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });

  it('rejects an average that is not a whole number of runs from 1 to 16', async () => {
    for (const average of [0, 1.5, 17, Number.NaN]) {
      await expect(runEdit(job({ average }), context())).rejects.toMatchObject({
        code: 'bad-input',
        message: expect.stringMatching(/average must be/),
      });
    }
  });
});

describe('getRunSeed', () => {
  it('keeps run 0 on the seed and gives later runs seeds that neither repeat nor collide with counted-up variation seeds', () => {
    expect(getRunSeed(5, 0)).toBe(5);
    const seeds = new Set<number>();
    for (let seed = 0; seed < 50; seed++) for (let run = 0; run < 8; run++) seeds.add(getRunSeed(seed, run));
    expect(seeds.size).toBe(50 * 8);
    expect(() => getRunSeed(-1, 0)).toThrow(/uint32/);
    expect(() => getRunSeed(1, 0.5)).toThrow(/run must be/);
  });
});
