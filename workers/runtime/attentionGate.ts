/**
 * @file Whether a bundle may run with 'subgroups' on this adapter: the known-answer attention check
 * (attentionCheck.ts) at the bundle's own head_dim and at least 2,048 tokens, run on a device of its own before
 * the engine's device gets the feature, and remembered per adapter. The 64-token, head_dim 32 check it replaces
 * passed on SwiftShader while flash attention with subgroups was 0.048 off at head_dim 128 and 2,100 tokens.
 */
import type { GpuInfo } from '../api/types';
import type { DitConfig } from '../bundle/manifest';
import { ATTENTION_TOLERANCE, type AttentionShape } from './attentionCheck';

/** Tokens the check runs at: the flash path's failures showed past 2,000 tokens, and Kontext's DiT runs 2–9 k. */
const CHECK_TOKENS = 2048;

/** What one check found. */
export interface AttentionVerdict {
  error: number;
  passed: boolean;
}

/** Where verdicts are kept (IndexedDB in the worker, a Map in tests). */
export interface VerdictStore {
  get(key: string): Promise<AttentionVerdict | undefined>;
  set(key: string, verdict: AttentionVerdict): Promise<void>;
}

/** The check's shape for a bundle: the DiT's head_dim, CHECK_TOKENS tokens. */
function getCheckShape(dit: Pick<DitConfig, 'hiddenSize' | 'numHeads'>): AttentionShape {
  return { tokens: CHECK_TOKENS, headDim: dit.hiddenSize / dit.numHeads };
}

/**
 * The verdict's key: the adapter as it describes itself, onnxruntime's version (its kernels change) and the shape.
 * Two identical GPUs share a verdict, which is the point: the kernel, not the board, is what fails.
 */
function getVerdictKey(
  info: Pick<GpuInfo, 'vendor' | 'architecture' | 'description'>,
  ortVersion: string,
  shape: AttentionShape,
): string {
  return [
    info.vendor,
    info.architecture,
    info.description,
    `ort ${ortVersion}`,
    `${shape.tokens}x${shape.headDim}`,
  ].join(' | ');
}

/**
 * The stored verdict for `key`, else `measure(shape)`'s, stored. A check that throws counts as failed (and is
 * stored too: a kernel that cannot run at this shape will not start working on the next visit).
 * @returns the verdict and whether it came from the store.
 */
async function getAttentionVerdict(
  store: VerdictStore,
  key: string,
  shape: AttentionShape,
  measure: (shape: AttentionShape) => Promise<number>,
): Promise<AttentionVerdict & { cached: boolean }> {
  const known = await store.get(key);
  if (known) return { ...known, cached: true };
  let error: number;
  try {
    error = await measure(shape);
  } catch (e) {
    console.warn('attention check failed to run', e);
    error = Infinity;
  }
  const verdict = { error, passed: error <= ATTENTION_TOLERANCE };
  await store.set(key, verdict);
  return { ...verdict, cached: false };
}

/**
 * The verdict for a bundle's DiT on an adapter: its check shape, keyed per adapter and onnxruntime version.
 * @returns the verdict, the shape it is for and whether it came from the store.
 */
export async function checkBundleAttention(
  dit: Pick<DitConfig, 'hiddenSize' | 'numHeads'>,
  adapter: { info: Pick<GpuInfo, 'vendor' | 'architecture' | 'description'>; ortVersion: string },
  store: VerdictStore,
  measure: (shape: AttentionShape) => Promise<number>,
): Promise<AttentionVerdict & { cached: boolean; shape: AttentionShape }> {
  const shape = getCheckShape(dit);
  const verdict = await getAttentionVerdict(
    store,
    getVerdictKey(adapter.info, adapter.ortVersion, shape),
    shape,
    measure,
  );
  return { ...verdict, shape };
}

/** The verdict in words, for the Engine panel. */
export function describeVerdict(v: AttentionVerdict, shape: AttentionShape): string {
  const where = `${shape.tokens} tokens, head_dim ${shape.headDim}`;
  const error = Number.isFinite(v.error) ? v.error.toExponential(1) : 'n/a';
  return v.passed
    ? `subgroup attention passed at ${where} (max error ${error})`
    : `subgroup attention failed its check at ${where} (max error ${error}), so it is off`;
}

/** A VerdictStore that lasts as long as the engine (tests, and hosts without IndexedDB). */
export function createMemoryVerdicts(): VerdictStore {
  const map = new Map<string, AttentionVerdict>();
  return {
    get: async (key) => map.get(key),
    set: async (key, verdict) => void map.set(key, verdict),
  };
}
