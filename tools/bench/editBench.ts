/**
 * @file The edit benchmark itself, pure TypeScript so the same code times onnxruntime-node in Node and
 * onnxruntime-web in the browser: N edits of one image through runEdit, with every model call timed so the
 * pipeline's own share (resizing, packing, noise, Euler updates, compositing) can be told apart.
 */
import type { EditJob } from '../../workers/api/jobs';
import type { RgbaImage } from '../../workers/api/types';
import type { Manifest } from '../../workers/bundle/manifest';
import { runEdit } from '../../workers/kontext/edit';
import type { KontextModels } from '../../workers/kontext/models';
import type { PromptTokenizer } from '../../workers/kontext/text';

export interface BenchResult {
  edits: number;
  steps: number;
  /** Mean wall time of one edit and of one denoising step (a DiT call: every averaged run's steps count), ms. */
  perEditMs: number;
  perStepMs: number;
  /** Share of the edit spent outside model calls (0…1). */
  pipelineShare: number;
}

/** Wraps every model call so its time adds to `spent.ms`. */
function timeModels(models: KontextModels, spent: { ms: number }): KontextModels {
  const wrap =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const t0 = performance.now();
      try {
        return await f(...a);
      } finally {
        spent.ms += performance.now() - t0;
      }
    };
  return {
    encodeText: wrap(models.encodeText),
    encodeImage: wrap(models.encodeImage),
    velocity: wrap(models.velocity),
    decode: wrap(models.decode),
    decodePreview: models.decodePreview && wrap(models.decodePreview),
    denoiseOnDevice: models.denoiseOnDevice && wrap(models.denoiseOnDevice),
  };
}

/** A smooth test picture at the bundle's first bucket. */
function makeBenchImage(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(4 * width * height);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    data.set([(x * 255) / width, (y * 255) / height, 128 + 100 * Math.sin((x + y) / 5), 255], 4 * i);
  }
  return { width, height, data };
}

/** Runs one warm-up edit, then `edits` timed ones; prompts and images repeat, so encoders run from cache after the first. */
export async function benchEdits(
  manifest: Manifest,
  tokenizers: { t5: PromptTokenizer; clip: PromptTokenizer },
  models: KontextModels,
  edits: number,
  hashImage: (image: RgbaImage) => Promise<string>,
): Promise<BenchResult> {
  const [width, height] = manifest.sampling.resolutions[0]!;
  const { defaultSteps: steps, defaultAverage: average } = manifest.sampling;
  const spent = { ms: 0 };
  const timed = timeModels(models, spent);
  const cache = { text: new Map(), images: new Map() };
  const job = (seed: number): EditJob => ({
    id: `bench-${seed}`,
    bundleId: manifest.id,
    image: makeBenchImage(width, height),
    prompt: 'make the red circle blue',
    references: [],
    mask: null,
    steps,
    guidance: manifest.sampling.defaultGuidance,
    average,
    seed,
    size: 'input',
    previewEvery: 0,
    keepUnchanged: true,
  });
  const ctx = { manifest, tokenizers, models: timed, cache, hashImage };
  await runEdit(job(0), ctx); // warm-up: session creation, kernel compilation, encoder caches
  spent.ms = 0;
  let stepMs = 0;
  const started = performance.now();
  for (let i = 1; i <= edits; i++) {
    let denoiseStart = 0;
    await runEdit(job(i), {
      ...ctx,
      onPhase: (p) => {
        if (p === 'denoising') denoiseStart = performance.now();
        if (p === 'decoding') stepMs += performance.now() - denoiseStart;
      },
    });
  }
  const total = performance.now() - started;
  return {
    edits,
    steps,
    perEditMs: total / edits,
    perStepMs: stepMs / (edits * steps * average),
    pipelineShare: Math.max(0, 1 - spent.ms / total),
  };
}
