/**
 * @file The prompt and the edit job: Generate builds an EditJob from the current turn, the draft mask and
 * references, streams progress and previews into the store, and adds the result as a new turn (a branch when
 * the current turn already has children). With several variations each becomes a sibling turn of the same input.
 * A failure or cancel leaves the tree exactly as it was (variations already finished stay).
 */
import {
  clampToLimit,
  countJobSteps,
  JOB_LIMITS,
  toEngineError,
  type EditJob,
  type EditResult,
  type JobProgress,
  type MaskImage,
  type RgbaImage,
} from '../../../workers/api';
import { describeEngineError } from '../../engine/messages';
import { addTurn } from '../history/tree';
import type { ImageRef, TurnNode } from '../history/types';
import { cloneMask, isMaskEmpty } from '../mask';
import { selectActiveBundle, selectCurrentTurn, selectGenerateBlocker, selectModelLoading } from '../selectors';
import { NO_MASK_HISTORY, SAMPLER_KEYS, type PromptSettings, type RunningJob } from '../state';
import type { ActionContext } from './context';
import { noChangeNotice } from './noChange';

export interface JobActions {
  setPrompt(prompt: Partial<PromptSettings>): void;
  /** Copies a turn's instruction, steps, guidance, average, seed and keep-unchanged choice into the prompt, seed locked. */
  reuseTurn(id: string): void;
  /** Back to the active bundle's own steps, guidance and average (and following them when the bundle changes). */
  useModelSampling(): void;
  generate(): Promise<void>;
  cancel(): Promise<void>;
}

const PROMPT_HISTORY_LIMIT = 100;
/** Variations per Generate: the UI's own setting (each is a separate job), so not among the engine's JOB_LIMITS. */
export const COUNT_RANGE = [1, 4] as const;

/** Preview cadence: every step for short runs, about eight previews for long ones. */
const getPreviewEvery = (steps: number): number => Math.max(1, Math.round(steps / 8));

export function createJobActions(ctx: ActionContext<JobActions>): JobActions {
  const { get, set, deps } = ctx;

  function onProgress(jobId: string, p: JobProgress): void {
    const job = get().job;
    if (!job || job.id !== jobId) return; // a late message from a job that was replaced
    set({ job: { ...job, progress: { ...p, preview: undefined }, preview: p.preview ?? job.preview } });
  }

  function recordTurn(
    jobId: string,
    result: EditResult,
    mask: MaskImage | null,
    references: ImageRef[],
    prompt: string,
    bundleName: string,
  ): boolean {
    const s = get();
    const job = s.job;
    if (!job || job.id !== jobId || !s.tree || s.sessionId !== job.sessionId) return false;
    const parent = s.tree.nodes[job.parentId]!;
    const input = s.images[parent.image.id]!;
    // Stored as the engine returned it: it composites a masked edit itself (workers/api/mask.ts, the one rule).
    const image = result.image;
    const imageRef: ImageRef = { id: deps.newId(), width: image.width, height: image.height };
    const maskRef: ImageRef | null = mask ? { id: deps.newId(), width: mask.width, height: mask.height } : null;
    const tree = addTurn(s.tree, parent.id, {
      id: deps.newId(),
      createdAt: deps.now(),
      image: imageRef,
      source: '',
      instruction: prompt,
      params: {
        steps: result.steps,
        guidance: result.guidance,
        average: result.average,
        seed: result.seed,
        size: s.prompt.size,
        keepUnchanged: s.prompt.keepUnchanged,
      },
      mask: maskRef,
      references,
      timing: { totalMs: result.timings.totalMs, phases: omitTotal(result.timings) },
      model: { bundleId: result.bundleId, bundleName, backend: result.backend },
    });
    const history = [prompt, ...s.promptHistory.filter((p) => p !== prompt)].slice(0, PROMPT_HISTORY_LIMIT);
    const sizeChanged = image.width !== input.width || image.height !== input.height;
    set({
      tree,
      job: null,
      lastEditMemory: result.memory,
      promptHistory: history,
      revision: s.revision + 1,
      compare: false,
      images: { ...s.images, [imageRef.id]: image },
      masks: maskRef && mask ? { ...s.masks, [maskRef.id]: mask } : s.masks,
      // The mask was for that edit; a stale mask silently re-applied is a known pain (inpaint-web #33).
      mask: null,
      maskRevision: s.maskRevision + 1,
      maskHistory: NO_MASK_HISTORY,
      ...(sizeChanged ? { viewport: { ...s.viewport, zoom: s.viewport.zoom * (input.width / image.width) } } : {}),
    });
    return true;
  }

  /** One edit from `turn`; true when its result became a turn (false: cancelled, failed or replaced). */
  async function runEdit(
    turn: TurnNode,
    mask: MaskImage | null,
    seed: number,
    variation: RunningJob['variation'],
  ): Promise<boolean> {
    const s = get();
    const bundle = selectActiveBundle(s)!;
    // A mask keeps pixels in place, so the result must have the input's size.
    const size = mask ? 'input' : s.prompt.size;
    const references = [...s.references];
    const prompt = s.prompt.text.trim();
    const image = s.images[turn.image.id];
    const referenceImages = references.map((r) => s.images[r.id]);
    if (!image || !referenceImages.every((r): r is RgbaImage => r !== undefined)) {
      set({ notice: { severity: 'error', text: 'An image this edit needs is missing from the session.' } });
      return false;
    }
    const job: EditJob = {
      id: deps.newId(),
      bundleId: bundle.id,
      image,
      prompt,
      references: referenceImages,
      mask,
      steps: s.prompt.steps,
      guidance: s.prompt.guidance,
      average: s.prompt.average,
      seed,
      size,
      previewEvery: getPreviewEvery(countJobSteps(s.prompt)),
      keepUnchanged: s.prompt.keepUnchanged,
    };
    set({
      // The prompt shows the first variation's seed: a locked seed stays what the user set.
      notice: null,
      prompt: { ...s.prompt, seed: variation.index === 1 ? seed : s.prompt.seed, size },
      compare: false,
      job: {
        id: job.id,
        sessionId: s.sessionId!,
        parentId: turn.id,
        startedAt: deps.now(),
        progress: null,
        preview: null,
        cancelling: false,
        variation,
      },
    });
    try {
      const result = await deps.engine.edit(job, (p) => onProgress(job.id, p));
      return recordTurn(job.id, result, mask, references, prompt, bundle.name);
    } catch (e) {
      if (get().job?.id !== job.id) return false; // replaced or abandoned: nothing to report
      const error = toEngineError(e);
      set({
        job: null,
        notice: { severity: error.code === 'cancelled' ? 'info' : 'error', text: describeEngineError(error) },
      });
      return false;
    }
  }

  return {
    setPrompt(prompt) {
      const chosen = SAMPLER_KEYS.some((k) => prompt[k] !== undefined);
      const p = { ...get().prompt, ...(chosen ? { sampling: 'custom' as const } : {}), ...prompt };
      // The engine's own limits, so a job built from the prompt is never refused for its numbers.
      p.steps = clampToLimit(p.steps, JOB_LIMITS.steps);
      p.guidance = clampToLimit(p.guidance, JOB_LIMITS.guidance);
      p.seed = clampToLimit(p.seed, JOB_LIMITS.seed);
      p.average = clampToLimit(p.average, JOB_LIMITS.average);
      p.count = Math.round(Math.min(COUNT_RANGE[1], Math.max(COUNT_RANGE[0], p.count || 1)));
      set({ prompt: p, ...(prompt.text !== undefined ? { revision: get().revision + 1 } : {}) });
    },
    reuseTurn(id) {
      const turn = get().tree?.nodes[id];
      if (!turn?.params) return;
      const { steps, guidance, average = 1, seed, size, keepUnchanged = false } = turn.params;
      set((s) => ({
        prompt: {
          ...s.prompt,
          text: turn.instruction,
          steps,
          guidance,
          average,
          seed,
          size,
          keepUnchanged,
          seedMode: 'locked',
          sampling: 'custom',
        },
      }));
    },
    useModelSampling() {
      set((s) => ({ prompt: { ...s.prompt, sampling: 'model' } })); // the store's subscription applies the defaults
    },
    async generate() {
      const s = get();
      const blocker = selectGenerateBlocker(s);
      if (blocker) return set({ notice: { severity: 'error', text: blocker } });
      // The model is still loading: the store runs this Generate when it is ready (createStudioStore).
      if (selectModelLoading(s) !== null) return set({ waitingForModel: true, notice: null });
      const turn = selectCurrentTurn(s)!;
      const mask =
        isMaskEmpty(s.mask) || s.mask!.width !== turn.image.width || s.mask!.height !== turn.image.height
          ? null
          : cloneMask(s.mask!);
      const first = s.prompt.seedMode === 'locked' ? s.prompt.seed : deps.randomSeed() >>> 0;
      const total = s.prompt.count;
      // Variations are siblings: each starts from the same turn with the same mask, references and settings.
      for (let index = 1; index <= total; index++) {
        const seed =
          index === 1 ? first : s.prompt.seedMode === 'locked' ? (first + index - 1) >>> 0 : deps.randomSeed() >>> 0;
        if (get().sessionId !== s.sessionId || !(await runEdit(turn, mask, seed, { index, total }))) return;
      }
      // An edit that changed (almost) nothing stays a turn, but the user hears of it now, not on a closer look.
      const unchanged = noChangeNotice(get(), turn.id, turn.childIds);
      if (unchanged) set({ notice: unchanged });
    },
    async cancel() {
      if (get().waitingForModel) return set({ waitingForModel: false });
      const job = get().job;
      if (!job || job.cancelling) return;
      set({ job: { ...job, cancelling: true } });
      try {
        await deps.engine.cancel(job.id);
      } catch (e) {
        set({ notice: { severity: 'error', text: describeEngineError(e) } });
      }
    },
  };
}

function omitTotal(timings: EditResult['timings']): Partial<Record<string, number>> {
  const { totalMs: _total, ...phases } = timings;
  return phases;
}
