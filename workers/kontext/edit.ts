/**
 * @file One Kontext edit, top to bottom (docs/kontext-spec.md §1): pick the bucket, encode text and images,
 * denoise the target tokens beside the reference tokens, decode, restore the input's size and the pixels
 * outside the mask. Pure: models, tokenizers and caches come in as arguments.
 */
import { EngineError } from '../api/errors';
import { countJobSteps, type EditJob } from '../api/jobs';
import { compositeMasked } from '../api/mask';
import type { RgbaImage } from '../api/types';
import type { Manifest } from '../bundle/manifest';
import { getRunBatch, joinReferences, meanOf, repeatRuns, splitRuns, takeTargets } from './batch';
import { checkEditJob } from './checkJob';
import { FirstBlockCache } from './firstBlockCache';
import { makeImgIds, makeTextIds } from './ids';
import { imageToTensor, tensorToImage } from './image';
import { keepUnchanged } from './keepUnchanged';
import { makeLatentMask } from './mask';
import type { KontextModels, StepInfo, TextConditioning } from './models';
import { getRunSeed, makePackedNoise } from './noise';
import {
  concatTokens,
  getLatentGeometry,
  getLatentShape,
  getTokenCount,
  getTokenFeatures,
  getTokenGrid,
  packLatents,
  unpackLatents,
  type LatentShape,
} from './pack';
import { computeOutputSize, getBuckets, pickResolution, resizeRgba } from './resolution';
import { denoise } from './sample';
import { getSchedule } from './schedule';
import type { PromptTokenizer } from './text';

/** An image encoded for the sequence: packed tokens and their latent shape. */
interface ReferenceTokens {
  tokens: Float32Array;
  shape: LatentShape;
}

export interface SampleInputs {
  models: KontextModels;
  text: TextConditioning;
  target: LatentShape;
  /** Reference 1 is the input image; more follow in order. */
  references: ReferenceTokens[];
  /** Packed noise the target starts from (t = 1); with `runs` > 1, each run's noise back to back. */
  noise: Float32Array;
  /**
   * Runs sampled together, one DiT call per step for all of them (manifest `dit_batch`; 1 when absent). The result
   * holds each run's target tokens back to back. Not with `cache` or the device loop, which run one at a time.
   */
  runs?: number;
  timesteps: number[];
  guidance: number;
  /** Fast mode: this run's first-block cache (the step-by-step loop runs, even where the device loop exists). */
  cache?: FirstBlockCache;
  /** Packed 0/1 latent mask (1 = repaint); the kept area comes from reference 1, which has the target's grid. */
  mask?: Float32Array;
  signal?: AbortSignal;
  /** After every step; `readX0` fetches the x0 estimate (x − t·v) for a preview. */
  onStep?: (info: StepInfo, readX0: () => Promise<Float32Array>) => void | Promise<void>;
}

/** The sampler core: Euler steps over [target][ref 1]…[ref n] with ids (0|i, r, c); returns target tokens. */
export async function sampleLatents(s: SampleInputs): Promise<Float32Array> {
  const runs = s.runs ?? 1;
  const features = getTokenFeatures(s.target);
  const referenceTokens = s.references.map((r) => r.tokens);
  const imgIds = makeImgIds(
    getTokenGrid(s.target),
    s.references.map((r) => getTokenGrid(r.shape)),
  );
  const txtIds = makeTextIds(s.text.length);
  let mask: { mask: Float32Array; imageLatents: Float32Array; noise: Float32Array } | undefined;
  if (s.mask) {
    const input = s.references[0];
    if (!input || input.tokens.length * runs !== s.noise.length) {
      throw new EngineError('bad-input', 'a masked edit needs reference 1 (the input image) at the target size');
    }
    mask = { mask: repeatRuns(s.mask, runs), imageLatents: repeatRuns(input.tokens, runs), noise: s.noise };
  }
  const targetLength = getTokenCount(s.target);
  if (runs > 1 && (s.cache || s.models.denoiseOnDevice))
    throw new EngineError('bad-input', 'runs are batched only on the step-by-step loop without a first-block cache');
  if (s.models.denoiseOnDevice && !s.cache) {
    return s.models.denoiseOnDevice({
      hiddenStates: concatTokens([s.noise, ...referenceTokens], features),
      targetLength,
      imgIds,
      text: s.text,
      txtIds,
      timesteps: s.timesteps,
      guidance: s.guidance,
      mask,
      signal: s.signal,
      onStep: s.onStep,
    });
  }
  const onStep = s.onStep;
  // The preview of several runs is the mean of their x0 estimates: what the averaged edit is heading for.
  const readX0 = (x: Float32Array, v: Float32Array, tNext: number) => async () =>
    meanOf(
      splitRuns(
        x.map((xi, i) => xi - tNext * v[i]!),
        runs,
      ),
    );
  return denoise({
    x: s.noise,
    timesteps: s.timesteps,
    guidance: s.guidance,
    targetLength: runs * targetLength,
    mask,
    signal: s.signal,
    // x at tNext minus tNext·v equals x_t − t·v: the same x0 estimate.
    onStep: onStep ? (d) => onStep(d, readX0(d.x, d.v, d.tNext)) : undefined,
    velocity: async (x, t, guidance) =>
      takeTargets(
        await s.models.velocity({
          hiddenStates: joinReferences(x, runs, referenceTokens, features),
          runs,
          imgIds,
          text: s.text,
          txtIds,
          timestep: t,
          guidance,
          cache: s.cache,
        }),
        runs,
        targetLength,
        features,
      ),
  });
}

/** What an edit needs besides the job: the bundle's description, tokenizers, models and caches. */
export interface EditContext {
  manifest: Manifest;
  tokenizers: { t5: PromptTokenizer; clip: PromptTokenizer };
  models: KontextModels;
  /** Encoder results by prompt and by image content, so repeated turns skip the encoders. */
  cache: { text: Map<string, TextConditioning>; images: Map<string, Float32Array> };
  /** Content key of an image for the cache (e.g. a SHA-256 of its pixels). */
  hashImage: (image: RgbaImage) => Promise<string>;
  signal?: AbortSignal;
  onPhase?: (phase: 'encoding-text' | 'encoding-images' | 'denoising' | 'decoding') => void;
  /** After every step; `preview` decodes the current x0 estimate (null when the models cannot preview). */
  onStep?: (step: StepInfo, preview: (() => Promise<RgbaImage>) | null) => void | Promise<void>;
}

export interface EditOutput {
  image: RgbaImage;
  /** The model's own size for this input (the bucket). */
  bucket: readonly [number, number];
}

/** Resizes an image to its bucket and encodes it to packed tokens (cached by content). */
export async function encodeReference(image: RgbaImage, ctx: EditContext): Promise<ReferenceTokens> {
  const geometry = getLatentGeometry(ctx.manifest.model);
  const [w, h] = pickResolution(
    image.width,
    image.height,
    getBuckets(ctx.manifest.sampling.resolutions, geometry.spatialFactor * geometry.patchSize),
  );
  const shape = getLatentShape(w, h, geometry);
  const key = `${await ctx.hashImage(image)}@${w}x${h}`;
  let latents = ctx.cache.images.get(key);
  if (!latents) {
    const pixels = image.width === w && image.height === h ? image : resizeRgba(image, w, h, 'lanczos3');
    latents = await ctx.models.encodeImage(imageToTensor(pixels), w, h);
    ctx.cache.images.set(key, latents);
  }
  return { tokens: packLatents(latents, shape), shape };
}

/** Encodes the prompt with both text encoders (cached by prompt). */
async function encodePrompt(prompt: string, ctx: EditContext): Promise<TextConditioning> {
  const cached = ctx.cache.text.get(prompt);
  if (cached) return cached;
  const text = await ctx.models.encodeText(ctx.tokenizers.t5.encode(prompt), ctx.tokenizers.clip.encode(prompt));
  ctx.cache.text.set(prompt, text);
  return text;
}

/** Decodes packed target tokens to an image at the bucket size. */
async function decodeTokens(
  tokens: Float32Array,
  shape: LatentShape,
  decoder: KontextModels['decode'],
  f: number,
): Promise<RgbaImage> {
  const pixels = await decoder(unpackLatents(tokens, shape), shape.height, shape.width);
  return tensorToImage(pixels, shape.width * f, shape.height * f);
}

/**
 * Runs one edit job. The output has the input's size unless the job asks for the model's native size;
 * with a mask, every kept pixel is the input's, byte for byte (compositeMasked). With `average` > 1 the decoded latents are
 * the mean of that many runs, each from its own noise; steps are reported across all runs.
 * @throws EngineError `bad-input` / `bad-image` for an unusable job (checkEditJob, before any model runs),
 *   `cancelled` when the signal fires.
 */
export async function runEdit(job: EditJob, ctx: EditContext): Promise<EditOutput> {
  checkEditJob(job); // again here: runEdit is also called directly (benchmarks, tests), not only by the engine
  const { manifest, models } = ctx;
  const f = manifest.model.ae.spatialFactor;

  ctx.onPhase?.('encoding-text');
  const text = await encodePrompt(job.prompt, ctx);
  ctx.onPhase?.('encoding-images');
  const references: ReferenceTokens[] = [];
  for (const image of [job.image, ...job.references]) references.push(await encodeReference(image, ctx));

  const target = references[0]!.shape; // the target takes the input's bucket (BFL: target size = context size)
  const timesteps = getSchedule(job.steps, getTokenCount(target), manifest.sampling);
  const mask = job.mask ? makeLatentMask(job.mask, target) : undefined;

  ctx.onPhase?.('denoising');
  const cached = Boolean(job.firstBlockCache && manifest.ditFirstBlockCache);
  const batch = getRunBatch(manifest, models, job.average, cached);
  const runs: Float32Array[] = [];
  const onStep = ctx.onStep;
  for (let first = 0; first < job.average; first += batch) {
    const noises = Array.from({ length: batch }, (_, r) => makePackedNoise(getRunSeed(job.seed, first + r), target));
    const sampled = await sampleLatents({
      models,
      text,
      target,
      references,
      noise: concatTokens(noises, getTokenFeatures(target)),
      runs: batch,
      timesteps,
      guidance: job.guidance,
      cache: cached ? new FirstBlockCache(job.firstBlockCache!) : undefined,
      mask,
      signal: ctx.signal,
      // A batched step is `batch` of the job's steps, reported once, when all of them are done.
      onStep: onStep
        ? (step, readX0) =>
            onStep(
              { ...step, step: first * job.steps + (step.step + 1) * batch - 1, steps: countJobSteps(job) },
              models.decodePreview ? async () => decodeTokens(await readX0(), target, models.decodePreview!, f) : null,
            )
        : undefined,
    });
    runs.push(...splitRuns(sampled, batch));
  }
  const tokens = meanOf(runs);

  ctx.onPhase?.('decoding');
  const decoded = await decodeTokens(tokens, target, models.decode, f);
  const [outW, outH] = computeOutputSize(job.image, [decoded.width, decoded.height], job.size);
  let image = outW === decoded.width && outH === decoded.height ? decoded : resizeRgba(decoded, outW, outH, 'lanczos3');
  // Pixels only line up with the input's at its size ("model native" may be another size).
  if (job.keepUnchanged && outW === job.image.width && outH === job.image.height)
    image = keepUnchanged(job.image, image).image;
  if (job.mask) image = compositeMasked(job.image, image, job.mask);
  return { image, bucket: [decoded.width, decoded.height] };
}
