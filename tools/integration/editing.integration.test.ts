import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../convert/paths';
import { openFolderEngine } from '../testing/folderEngine';
import { ensureTinyBundle, TINY_BUNDLE_OVERRIDES } from '../testing/tinyBundle';
import type { EditJob, JobProgress } from '../../workers/api/jobs';
import type { RgbaImage } from '../../workers/api/types';
import { keepUnchanged } from '../../workers/kontext/keepUnchanged';

/** A smooth synthetic picture of any size. */
function makeImage(width: number, height: number, seed = 1): RgbaImage {
  const data = new Uint8ClampedArray(4 * width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = 128 + 100 * Math.sin((x + y + seed) / 7);
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

async function makeEngine() {
  return (await openFolderEngine(await ensureTinyBundle('fp32', 2))).engine;
}

const job = (over: Partial<EditJob> = {}): EditJob => ({
  id: crypto.randomUUID(),
  bundleId: TINY_BUNDLE_OVERRIDES.id,
  image: makeImage(333, 517),
  prompt: 'make the red circle blue',
  references: [],
  mask: null,
  steps: 4,
  guidance: 2.5,
  average: 1,
  seed: 42,
  size: 'input',
  previewEvery: 0,
  keepUnchanged: false,
  ...over,
});

describe('engine edits on the tiny bundle (onnxruntime-node)', () => {
  let engine: Awaited<ReturnType<typeof makeEngine>>;
  beforeAll(async () => {
    engine = await makeEngine();
  });

  it('returns the input size by default and the bucket size on request, with progress through every phase', async () => {
    const events: JobProgress[] = [];
    const result = await engine.edit(job({ previewEvery: 2 }), (p) => events.push(p));
    expect([result.image.width, result.image.height]).toEqual([333, 517]);
    const phases = [...new Set(events.map((e) => e.phase))];
    expect(phases).toEqual(['queued', 'loading', 'encoding-text', 'encoding-images', 'denoising', 'decoding', 'done']);
    const steps = events.filter((e) => e.phase === 'denoising' && e.step > 0);
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3, 4]);
    expect(steps.every((e) => e.etaMs !== null && e.etaMs >= 0)).toBe(true);
    expect(steps.filter((e) => e.preview).map((e) => e.step)).toEqual([2]);
    expect(events.map((e) => e.fraction)).toEqual([...events.map((e) => e.fraction)].sort((a, b) => a - b));

    const native = await engine.edit(job({ size: 'native' }), () => undefined);
    expect([native.image.width, native.image.height]).toEqual([48, 80]); // 333:517 ≈ 0.64 → the 48×80 bucket
  });

  it('gives identical bytes for the same seed and different ones for another seed', async () => {
    const a = await engine.edit(job({ seed: 7 }), () => undefined);
    const b = await engine.edit(job({ seed: 7 }), () => undefined);
    const c = await engine.edit(job({ seed: 8 }), () => undefined);
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
    expect(Buffer.from(a.image.data).equals(Buffer.from(c.image.data))).toBe(false);
  });

  it('keeps every pixel outside the mask bit-identical to the input', async () => {
    const image = makeImage(64, 64, 3);
    const mask = { width: 64, height: 64, data: new Uint8Array(64 * 64) };
    for (let y = 16; y < 40; y++) for (let x = 20; x < 50; x++) mask.data[y * 64 + x] = 255;
    const result = await engine.edit(job({ image, mask, references: [makeImage(48, 64, 9)] }), () => undefined);
    let changedInside = 0;
    for (let p = 0; p < 64 * 64; p++) {
      const same = [0, 1, 2, 3].every((c) => result.image.data[4 * p + c] === image.data[4 * p + c]);
      if (mask.data[p]! < 128) expect(same).toBe(true);
      else if (!same) changedInside++;
    }
    expect(changedInside).toBeGreaterThan(100);
  });

  it('cancels a running job within one step and stays usable; a queued job never starts', async () => {
    const running = job({ steps: 20 });
    let cancelledAt = -1;
    const first = engine.edit(running, (p) => {
      if (p.phase === 'denoising' && p.step === 2 && cancelledAt < 0) {
        cancelledAt = p.step;
        void engine.cancel(running.id);
      }
    });
    const queued = job();
    const second = engine.edit(queued, () => undefined);
    void engine.cancel(queued.id);
    await expect(first).rejects.toMatchObject({ code: 'cancelled' });
    await expect(second).rejects.toMatchObject({
      code: 'cancelled',
      message: expect.stringMatching(/before it started/),
    });
    const after = await engine.edit(job(), () => undefined);
    expect(after.image.width).toBe(333);
  });

  it('opens the bundle each job names, switching between bundles without selectBundle', async () => {
    const micro = join(REPO_ROOT, 'public/bundles/kontext-micro');
    const files = readdirSync(micro).map((f) => new File([readFileSync(join(micro, f))], f));
    const added = await engine.addBundle({ kind: 'files', files }, () => undefined);
    const image = makeImage(64, 64);
    const onMicro = await engine.edit(job({ bundleId: added.id, image, steps: 2 }), () => undefined);
    const onTiny = await engine.edit(job({ image, steps: 2 }), () => undefined);
    expect([onMicro.bundleId, onTiny.bundleId]).toEqual([added.id, TINY_BUNDLE_OVERRIDES.id]);
    expect(Buffer.from(onMicro.image.data).equals(Buffer.from(onTiny.image.data))).toBe(false);
    await engine.deleteBundle(added.id);
    await expect(engine.edit(job({ bundleId: added.id }), () => undefined)).rejects.toMatchObject({
      code: 'bundle-not-found',
    });
  });

  it('rejects bad jobs with specific errors', async () => {
    await expect(engine.edit(job({ steps: 0 }), () => undefined)).rejects.toMatchObject({ code: 'bad-input' });
    const mask = { width: 10, height: 10, data: new Uint8Array(100) };
    await expect(engine.edit(job({ mask }), () => undefined)).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringMatching(/mask is 10×10/),
    });
  });
});

describe('keep unchanged pixels on the embedded kontext-micro (onnxruntime-node)', () => {
  it('copies the pixels the model left alone back from the input, exactly as keepUnchanged does', async () => {
    const { engine, bundle } = await openFolderEngine(join(REPO_ROOT, 'public/bundles/kontext-micro'));
    const png = PNG.sync.read(readFileSync(join(REPO_ROOT, 'training/kontextbench_micro/cases/local_001_input.png')));
    const image: RgbaImage = { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data) };
    const edit = (keep: boolean) =>
      engine.edit(
        job({ bundleId: bundle.id, image, prompt: 'delete the diamond', steps: 12, keepUnchanged: keep }),
        () => undefined,
      );
    const raw = (await edit(false)).image;
    const kept = (await edit(true)).image;
    expect(Buffer.from(kept.data).equals(Buffer.from(keepUnchanged(image, raw).image.data))).toBe(true);
    const exact = (out: RgbaImage) =>
      Array.from({ length: 64 * 64 }, (_, p) => p).filter((p) =>
        [0, 1, 2].every((c) => out.data[4 * p + c] === image.data[4 * p + c]),
      ).length /
      (64 * 64);
    expect(exact(raw)).toBeLessThan(0.2); // the autoencoder round trip alone moves nearly every pixel
    expect(exact(kept)).toBeGreaterThan(0.6);
  });
});
