/**
 * @file The editing side of the engine: the open bundle (manifest, tokenizers, sessions, encoder caches),
 * which each job names itself; a queue that runs one edit at a time, cancellation, and progress with ETA and
 * previews. A job is checked in full (its values, then its bundle) before anything loads.
 */
import { EngineError, toEngineError } from './api/errors';
import {
  countJobSteps,
  type BundleInfo,
  type EditJob,
  type EditResult,
  type JobPhase,
  type JobProgress,
} from './api/jobs';
import type { Capabilities, RgbaImage } from './api/types';
import type { Manifest } from './bundle/manifest';
import type { BundleStore } from './cache';
import { createGraphLoader, type LastBundleStore } from './bundleReads';
import type { EarlyReads } from './readsWorker';
import { createGraphReads } from './runtime/graphReads';
import { checkEditJob } from './kontext/checkJob';
import { encodeReference, runEdit } from './kontext/edit';
import { makeWarmUpJob } from './kontext/warmUp';
import type { TextConditioning } from './kontext/models';
import { createPromptTokenizer, type PromptTokenizer } from './kontext/text';
import type { WholeReader } from './runtime/externalData';
import { toRuntimeFailure } from './runtime/failures';
import { createSessionModels, EDIT_ROLES, planFor, type SessionModels } from './runtime/kontextModels';
import { getFileBytes, PlanError } from './runtime/memoryPlan';
import { recordPhaseMemory } from './runtime/phaseMemory';
import type { Ort, RuntimeTarget } from './runtime/ort';
import { timed } from './runtime/timeline';

/** The bundle open for editing. */
interface Selected {
  id: string;
  manifest: Manifest;
  models: SessionModels;
  tokenizers: { t5: PromptTokenizer; clip: PromptTokenizer };
  cache: { text: Map<string, TextConditioning>; images: Map<string, Float32Array> };
  /** Whether the warm-up edit ran on these sessions (selectBundle runs it once). */
  warmed: boolean;
  /** The VRAM budget (bytes) the sessions were planned for. */
  budget: number | null;
}

export interface EditingDeps {
  bundles: BundleStore;
  loadOrt: () => Promise<Ort>;
  /** The current runtime target and capabilities (the engine may switch backends between jobs). */
  getTarget: () => RuntimeTarget;
  getCapabilities: () => Capabilities | null;
  /** Readies the target for a bundle before its sessions exist (the attention check); it may replace the target. */
  prepareTarget?: (manifest: Manifest) => Promise<void>;
  /** The user's VRAM budget in bytes, null when none (the memory planner's input); none when absent. */
  getMemoryBudget?: () => number | null;
  /** Runs work strictly one piece at a time (shared with the engine's other onnxruntime work). */
  serial: <T>(work: () => Promise<T>) => Promise<T>;
  hashImage: (image: RgbaImage) => Promise<string>;
  /** Reads weight files whole on another thread (readsWorker.ts); on this one when absent. */
  readWhole?: WholeReader;
  /** Where the bundle opened last is noted, for the next start's readBundleAhead; nowhere when absent. */
  lastBundle?: LastBundleStore;
  /** Reads started with the engine (readsWorker.ts), for the first sessions created if of their bundle. */
  early?: Promise<EarlyReads | null>;
  now?: () => number;
}

/** How long reads started with the engine wait for the sessions that take them before they are dropped. */
const EARLY_READS_MS = 60_000;

/** Where each phase starts on the job's 0…1 progress scale (denoising fills 0.1 → 0.95 step by step). */
const PHASE_START: Record<JobPhase, number> = {
  queued: 0,
  loading: 0.02,
  'encoding-text': 0.04,
  'encoding-images': 0.06,
  denoising: 0.1,
  decoding: 0.95,
  done: 1,
};

/** Encoder results kept per bundle: a few prompts and images are enough for turn-by-turn editing. */
const CACHE_LIMIT = 16;

function boundedSet<V>(map: Map<string, V>): Map<string, V> {
  const set = map.set.bind(map);
  map.set = (key, value) => {
    if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value as string);
    return set(key, value);
  };
  return map;
}

/**
 * Why this machine cannot run a bundle, or null. A bundle with fp16 activations runs only on WebGPU with
 * shader-f16: onnxruntime's WASM kernels would run it through Casts they insert themselves, in fp32 (as its
 * CPU EP does, measured in tools/convert/bundle/mixedPrecision.integration.test.ts), no faster than fp32.
 */
export function getUnsupportedReason(
  info: Pick<BundleInfo, 'weights' | 'fp16Activations'>,
  caps: Capabilities | null,
): string | null {
  const fp16 = info.fp16Activations;
  if (fp16.length > 0 && caps?.backend === 'webgpu' && !caps.gpu?.shaderF16) {
    return `its ${fp16.join(', ')} graphs compute in fp16, and this GPU has no shader-f16 support (use a bundle converted with --activations fp32)`;
  }
  if (fp16.length > 0 && caps?.backend === 'wasm') {
    return `its ${fp16.join(', ')} graphs compute in fp16, which needs WebGPU with shader-f16 (the WASM backend would compute them in fp32, slower than a bundle converted with --activations fp32)`;
  }
  if (info.weights === 'fp16' && caps?.backend === 'webgpu' && !caps.gpu?.shaderF16) {
    return 'this bundle stores fp16 weights, and this GPU has no shader-f16 support';
  }
  if (info.weights === 'fp16' && caps?.backend === 'wasm') return 'fp16 bundles need WebGPU with shader-f16';
  return null;
}

export function createEditing(deps: EditingDeps) {
  const now = deps.now ?? (() => performance.now());
  let selected: Selected | null = null;
  let selectedTarget: RuntimeTarget | null = null;
  const controllers = new Map<string, AbortController>();
  /** Reads started with the engine (readsWorker.ts), for the first sessions created if of their bundle. */
  let early = deps.early ?? Promise.resolve(null);
  if (deps.early) setTimeout(() => (early = Promise.resolve(null)), EARLY_READS_MS); // not taken by then: dropped

  async function readJson(id: string, path: string): Promise<Record<string, unknown>> {
    return JSON.parse(await (await deps.bundles.getFile(id, path)).text()) as Record<string, unknown>;
  }

  /** Sessions for `manifest` planned for the current budget. @throws EngineError `out-of-memory` when it cannot fit. */
  async function createModels(id: string, manifest: Manifest, target: RuntimeTarget, budget: number | null) {
    let plan;
    try {
      plan = planFor(manifest, target, budget);
    } catch (e) {
      if (e instanceof PlanError)
        throw new EngineError('out-of-memory', `${manifest.name} does not fit: ${e.message}.`);
      throw e;
    }
    // Reads started with the engine go to this bundle's sessions if they are its own (another's are dropped).
    const ahead = await early.catch(() => null); // they are only a head start
    early = Promise.resolve(null);
    const load = createGraphLoader(deps.bundles, id);
    const reads = createGraphReads(load, getFileBytes(manifest), {
      readWhole: deps.readWhole,
      early: ahead?.id === id ? ahead.models : undefined,
    });
    return createSessionModels(await deps.loadOrt(), target, manifest, load, { plan, reads });
  }

  async function open(id: string): Promise<Selected> {
    const target = deps.getTarget();
    const budget = deps.getMemoryBudget?.() ?? null;
    if (selected?.id === id && selectedTarget === target) {
      if (selected.budget === budget) return selected;
      // A new budget: new sessions under a new plan; the prompt and image caches stay valid.
      await selected.models.release();
      selected.models = await createModels(id, selected.manifest, target, budget);
      selected.budget = budget;
      return selected;
    }
    await selected?.models.release();
    selected = null;
    const manifest = await deps.bundles.getManifest(id);
    await deps.prepareTarget?.(manifest);
    const sessionTarget = deps.getTarget();
    const { t5Tokenizer, clipTokenizer } = manifest.components;
    const tokenizers = {
      t5: createPromptTokenizer(
        await readJson(id, t5Tokenizer.json),
        await readJson(id, t5Tokenizer.config),
        manifest.model.t5.maxLength,
      ),
      clip: createPromptTokenizer(
        await readJson(id, clipTokenizer.json),
        await readJson(id, clipTokenizer.config),
        manifest.model.clip.maxLength,
      ),
    };
    const models = await createModels(id, manifest, sessionTarget, budget);
    selected = {
      id,
      manifest,
      models,
      tokenizers,
      cache: {
        text: boundedSet(new Map<string, TextConditioning>()),
        images: boundedSet(new Map<string, Float32Array>()),
      },
      warmed: false,
      budget,
    };
    selectedTarget = sessionTarget;
    return selected;
  }

  /**
   * The stored bundle `id` when edits can run on it here.
   * @throws EngineError `bundle-not-found`, `bundle-incomplete` or `unsupported`, before any of its files is read.
   */
  async function requireRunnable(id: string): Promise<BundleInfo> {
    const info = (await deps.bundles.listBundles()).find((b) => b.id === id);
    if (!info) throw new EngineError('bundle-not-found', `No bundle "${id}" is stored in this browser.`);
    if (!info.complete) {
      const missing = info.files.filter((f) => f.state !== 'verified').length;
      throw new EngineError(
        'bundle-incomplete',
        `${info.name} is not completely downloaded yet (${missing} of ${info.files.length} files missing).`,
      );
    }
    const reason = getUnsupportedReason(info, deps.getCapabilities());
    if (reason) throw new EngineError('unsupported', `${info.name} cannot run here: ${reason}.`);
    return info;
  }

  /**
   * Opens a bundle ahead of its first edit (EngineApi.selectBundle) and runs the warm-up edit on it once, so
   * session creation and kernel compilation are not paid by the user's first edit.
   */
  async function selectBundle(id: string): Promise<BundleInfo> {
    return deps.serial(async () => {
      const info = await requireRunnable(id);
      const bundle = await timed('open bundle', () => open(id));
      void deps.lastBundle?.set(id).catch(() => undefined); // only a head start for the next load
      if (!bundle.warmed) {
        bundle.warmed = true;
        const started = now();
        bundle.models.readAhead(EDIT_ROLES);
        try {
          // A cache of its own: the grey image and prompt must not take slots from the user's.
          await timed('warm-up edit', () =>
            runEdit(makeWarmUpJob(bundle.manifest, id, bundle.models), {
              ...bundle,
              cache: { text: new Map(), images: new Map() },
              hashImage: deps.hashImage,
              onStep: async (_step, preview) => void (await preview?.()), // the preview's path, as edits show them
            }),
          );
          console.info(`warm-up edit on ${id}: ${Math.round(now() - started)} ms`);
        } catch (e) {
          console.warn('the warm-up edit failed; the first edit will report what is wrong', e);
        } finally {
          bundle.models.dropReadAhead(); // what the warm-up did not open (a staged decoder's whole graph)
        }
      }
      return info;
    });
  }

  /** The newest prepareImages request: an older one still queued is one the user has moved on from. */
  let latestPrepare = 0;

  /**
   * Encodes images into the open bundle's cache ahead of an edit (EngineApi.prepareImages), so the edit skips
   * the encoder. Runs only on the bundle already open on this target, and only the newest request.
   */
  function prepareImages(id: string, images: RgbaImage[]): Promise<boolean> {
    const ticket = ++latestPrepare;
    return deps.serial(async () => {
      const bundle = selected;
      if (ticket !== latestPrepare || !bundle || bundle.id !== id || selectedTarget !== deps.getTarget()) return false;
      await timed('prepare images', async () => {
        for (const image of images) await encodeReference(image, { ...bundle, hashImage: deps.hashImage });
      });
      return true;
    });
  }

  async function run(
    job: EditJob,
    report: (p: Omit<JobProgress, 'jobId'>) => void,
    signal: AbortSignal,
    queuedMs: number,
  ): Promise<EditResult> {
    deps.getTarget(); // not initialised, or the device was lost: say so before looking at the bundle
    await requireRunnable(job.bundleId);
    const started = now();
    // The wait behind other work (an earlier edit, the warm-up): ~0 when the model was really ready.
    const timings: Partial<Record<JobPhase, number>> = { queued: queuedMs };
    let phase: JobPhase = 'loading';
    let phaseStart = started;
    let memory: ReturnType<typeof recordPhaseMemory> | null = null;
    const enterPhase = (next: JobPhase) => {
      timings[phase] = (timings[phase] ?? 0) + now() - phaseStart;
      memory?.enter(next === 'done' ? null : next);
      phase = next;
      phaseStart = now();
      const steps = countJobSteps(job);
      report({
        phase,
        step: next === 'done' || next === 'decoding' ? steps : 0,
        steps,
        fraction: PHASE_START[next],
        etaMs: next === 'done' ? 0 : null,
      });
    };
    enterPhase('loading');
    const bundle = await open(job.bundleId);
    const { models } = bundle;
    memory = recordPhaseMemory(models);
    let denoiseStart = 0;
    const { image } = await runEdit(job, {
      manifest: bundle.manifest,
      tokenizers: bundle.tokenizers,
      models: bundle.models,
      cache: bundle.cache,
      hashImage: deps.hashImage,
      signal,
      onPhase: (p) => {
        enterPhase(p);
        if (p === 'denoising') denoiseStart = now();
      },
      onStep: async (s, preview) => {
        const done = s.step + 1;
        const perStep = (now() - denoiseStart) / done;
        const eta = perStep * (s.steps - done) + perStep * 0.5; // decoding costs about half a step
        const wantPreview = preview && job.previewEvery > 0 && done % job.previewEvery === 0 && done < s.steps;
        report({
          phase: 'denoising',
          step: done,
          steps: s.steps,
          fraction: 0.1 + 0.85 * (done / s.steps),
          etaMs: eta,
          preview: wantPreview ? await preview() : undefined,
        });
      },
    });
    enterPhase('done');
    return {
      jobId: job.id,
      image,
      seed: job.seed,
      steps: job.steps,
      guidance: job.guidance,
      average: job.average,
      bundleId: bundle.id,
      backend: deps.getTarget().backend,
      timings: { ...timings, totalMs: now() - started },
      memory: {
        plan: models.plan.kind,
        budgetBytes: Number.isFinite(models.plan.budget) ? models.plan.budget : null,
        storageBufferCacheMode: models.plan.storageBufferCacheMode,
        sessionsCreated: Object.values(memory.phases).reduce((n, m) => n + m.sessionsCreated, 0),
        phases: memory.phases,
      },
    };
  }

  /**
   * The EngineError a failed job reports. A lost GPU device makes onnxruntime throw whatever it meets next, so
   * a lost device is named first; out-of-memory and the rest come from the runtime's own words.
   */
  function explainFailure(error: unknown): EngineError {
    const failure = toRuntimeFailure(error, 'the edit');
    if (failure.code === 'cancelled' || failure.code === 'device-lost') return failure;
    try {
      deps.getTarget();
    } catch (lost) {
      if (lost instanceof EngineError && lost.code === 'device-lost') return lost;
    }
    return failure;
  }

  return {
    selectBundle,
    prepareImages,
    /** The open bundle's id, or null. */
    getSelected: () => selected?.id ?? null,
    /** Drops sessions (e.g. before the backend changes or the bundle is deleted). */
    async reset(): Promise<void> {
      await selected?.models.release();
      selected = null;
    },
    edit(job: EditJob, onProgress: (p: JobProgress) => void): Promise<EditResult> {
      try {
        checkEditJob(job); // before it is queued: a job that cannot run never waits behind others
      } catch (e) {
        return Promise.reject(toEngineError(e));
      }
      if (controllers.has(job.id))
        return Promise.reject(new EngineError('bad-input', `job ${job.id} is already queued`));
      const controller = new AbortController();
      controllers.set(job.id, controller);
      const report = (p: Omit<JobProgress, 'jobId'>) => {
        try {
          onProgress({ jobId: job.id, ...p });
        } catch {
          // a progress listener that throws must not kill the job
        }
      };
      report({ phase: 'queued', step: 0, steps: countJobSteps(job), fraction: PHASE_START.queued, etaMs: null });
      const queued = now();
      return deps
        .serial(async () => {
          if (controller.signal.aborted)
            throw new EngineError('cancelled', 'The edit was cancelled before it started.');
          return run(job, report, controller.signal, now() - queued);
        })
        .catch((e: unknown) => {
          throw explainFailure(e);
        })
        .finally(() => controllers.delete(job.id));
    },
    async cancel(jobId: string): Promise<void> {
      controllers.get(jobId)?.abort();
    },
  };
}
