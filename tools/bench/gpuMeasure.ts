/**
 * @file The measurements of `npm run bench:gpu` on one bundle, through the engine's own session code
 * (createSessionModels: the memory plan, the AE tiling, the DiT segments): the text encoders, one DiT step per
 * size with one input image, an AE decode at the largest size, the known-answer attention check at the largest
 * size's token count, the time to create every session and the live GPU bytes per phase. The same code runs in
 * Chromium (WebGPU on the page's device, graphs from IndexedDB) and in Node (onnxruntime-node's WebGPU EP, graphs
 * from disk). Each result is handed to `record` as soon as it exists, and each part is skipped, with the reason,
 * when the deadline leaves too little time for it.
 */
import type { Manifest } from '../../workers/bundle/manifest';
import { makeImgIds, makeTextIds } from '../../workers/kontext/ids';
import type { TextConditioning } from '../../workers/kontext/models';
import { ATTENTION_TOLERANCE, measureAttentionErrorOn } from '../../workers/runtime/attentionCheck';
import type { GraphLoader } from '../../workers/runtime/graphReads';
import { createSessionModels } from '../../workers/runtime/kontextModels';
import type { MemoryPlan } from '../../workers/runtime/memoryPlan';
import type { Ort, RuntimeTarget } from '../../workers/runtime/ort';
import { TIMELINE_PREFIX } from '../../workers/runtime/timeline';
import { estimateAttentionCheckSeconds, getEditTokens } from './gpuPlan';

export interface MeasureInput {
  ort: Ort;
  /** The engine's target; in Node the 'wasm' target runs on an Ort whose CPU provider is mapped to WebGPU. */
  target: RuntimeTarget;
  manifest: Manifest;
  load: GraphLoader;
  plan?: MemoryPlan;
  sizes: readonly number[];
  /** Date.now() by which this bundle's parts must be done. */
  deadline: number;
  /** Receives each result under its key as soon as it is measured (or skipped, or failed). */
  record(key: string, value: unknown): void;
}

/** Deterministic values in about ±1 (inputs only need to be finite and varied). */
const filled = (length: number, seed: number) =>
  Float32Array.from({ length }, (_, i) => Math.sin(i * 0.7311 + seed) * Math.cos(i * 0.0173 * seed));

/** Runs `work` twice: the first call (sessions created, shaders compiled) and a warm one. */
async function coldAndWarm(work: () => Promise<unknown>): Promise<{ coldMs: number; warmMs: number }> {
  let t = performance.now();
  await work();
  const coldMs = performance.now() - t;
  t = performance.now();
  await work();
  return { coldMs, warmMs: performance.now() - t };
}

/** Measures one bundle; results go to `input.record`. Never throws for a part that fails: it records the error. */
export async function measureBundle(input: MeasureInput): Promise<void> {
  const { ort, target, manifest, load, record, deadline } = input;
  const { dit, t5, clip, ae } = manifest.model;
  const started = performance.now();
  const models = createSessionModels(ort, target, manifest, load, input.plan ? { plan: input.plan } : {});
  record('plan', { kind: models.plan.kind, cacheMode: models.plan.storageBufferCacheMode, bytes: models.plan.bytes });
  const secondsLeft = () => (deadline - Date.now()) / 1000;
  /** Runs a part when `needSeconds` are left, recording its result, or why it did not run. */
  const part = async (key: string, needSeconds: number, work: () => Promise<object>) => {
    if (secondsLeft() < needSeconds) {
      record(key, { skipped: `${secondsLeft().toFixed(0)} s left, needs about ${needSeconds.toFixed(0)} s` });
      return;
    }
    try {
      const result = await work();
      const { gpuBytes, sessionBytes } = models.takeMemorySample();
      record(key, { ...result, peakGpuBytes: gpuBytes, plannedSessionBytes: sessionBytes });
    } catch (e) {
      record(key, { error: (e as Error).message.split('\n')[0] });
    }
  };

  /** Every session created so far, from the engine's own load timeline (recorded again after each part). */
  const recordSessions = () => {
    const spans = performance
      .getEntriesByType('measure')
      .filter((m) => m.name.startsWith(TIMELINE_PREFIX) && m.startTime >= started);
    const sum = (verb: string) =>
      spans.filter((m) => m.name.startsWith(`${TIMELINE_PREFIX}${verb} `)).reduce((n, m) => n + m.duration, 0);
    record('sessions', {
      readMs: sum('read'),
      createMs: sum('create'),
      created: models.sessionsCreated,
      each: spans.map((m) => `${m.name.slice(TIMELINE_PREFIX.length)} ${m.duration.toFixed(0)} ms`),
    });
  };

  let text: TextConditioning = {
    text: filled(t5.maxLength * dit.contextInDim, 1),
    length: t5.maxLength,
    pooled: filled(dit.vecInDim, 2),
  };
  models.takeMemorySample();
  await part('text', 5, async () => {
    const t5Ids = Int32Array.from({ length: t5.maxLength }, (_, i) => 1 + ((i * 7919) % (t5.vocabSize - 1)));
    const clipIds = Int32Array.from({ length: clip.maxLength }, (_, i) => 1 + ((i * 104729) % (clip.vocabSize - 1)));
    const times = await coldAndWarm(async () => (text = await models.encodeText(t5Ids, clipIds)));
    return { ...times, t5Tokens: t5.maxLength, clipTokens: clip.maxLength };
  });

  // The DiT at each size; the next size is skipped when the last one's time, scaled by the square of the token
  // ratio (attention's share grows so), would not fit twice.
  const last = { ms: 0, tokens: 1 };
  for (const size of input.sizes) {
    const tokens = getEditTokens(size, text.length);
    const need = last.ms > 0 ? (2 * last.ms * (tokens.total / last.tokens) ** 2) / 1000 : 10;
    await part(`dit ${size}`, need, async () => {
      const grid = { rows: size / 16, cols: size / 16 };
      const inputs = {
        hiddenStates: filled(tokens.image * dit.inChannels, size),
        runs: 1,
        imgIds: makeImgIds(grid, [grid]),
        text,
        txtIds: makeTextIds(text.length),
        timestep: 0.5,
        guidance: 2.5,
      };
      const times = await coldAndWarm(() => models.velocity(inputs));
      Object.assign(last, { ms: times.warmMs, tokens: tokens.total });
      return { ...times, tokens: tokens.total };
    });
  }

  // The check runs at the largest size's token count; the AE decode comes last, as the part most likely to
  // outrun the deadline on a slow adapter (on SwiftShader it takes minutes).
  const aeSize = Math.max(...input.sizes);
  const check = { tokens: getEditTokens(aeSize, text.length).total, headDim: dit.hiddenSize / dit.numHeads };
  await part(
    `attention check ${check.tokens}`,
    estimateAttentionCheckSeconds(check.tokens, check.headDim),
    async () => {
      const t = performance.now();
      const error = await measureAttentionErrorOn(ort, target, check);
      return { ...check, maxError: error, passed: error <= ATTENTION_TOLERANCE, ms: performance.now() - t };
    },
  );
  recordSessions();
  await part(`ae decode ${aeSize}`, 10, async () => {
    const h = aeSize / ae.spatialFactor;
    const latents = filled(ae.zChannels * h * h, 3);
    return coldAndWarm(() => models.decode(latents, h, h));
  });
  recordSessions();
  await models.release();
}
