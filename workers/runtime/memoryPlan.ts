/**
 * @file The memory planner: which onnxruntime sessions stay open across an edit's phases and across edits,
 * from the bundle's component sizes, the adapter's limits and the user's VRAM budget. Pure arithmetic: the
 * runtime (kontextModels.ts) asks it what to close before each session opens. Rules: docs/memory-plan.md.
 */
import { formatBytes } from '../api/bytes';
import type { BufferCacheMode, MemoryPlanKind } from '../api/jobs';
import type { GraphFiles, Manifest } from '../bundle/manifest';

/** One session per role (the DiT's K segments count as one: they are always needed together). */
export type SessionRole = 'dit' | 'aeDecoder' | 'aeEncoder' | 'previewDecoder' | 'clip' | 't5';

/** Most important first: what is kept when not everything fits, and evicted last. */
const PRIORITY: readonly SessionRole[] = ['dit', 'aeDecoder', 'aeEncoder', 'previewDecoder', 'clip', 't5'];

/**
 * - `all-resident`: every session stays open; nothing is ever reloaded.
 * - `dit-ae-resident`: the DiT and the AE stay open across turns and variations; the text encoders open only for a
 *   prompt not in the cache, and make room by closing the AE encoder (then the decoder, then the DiT) if they must.
 * - `per-phase`: the DiT does not fit beside the AE, so each phase's sessions replace the last one's (the DiT is
 *   reopened every edit).
 */
type PlanKind = MemoryPlanKind;

export type ComponentBytes = Record<SessionRole, number>;

export interface MemoryPlanInput {
  /** Weight bytes per session (0 for a component the bundle lacks); getComponentBytes() reads them from a manifest. */
  bytes: ComponentBytes;
  /** The device's limits on WebGPU; null on WASM (CPU memory, no buffer limits). */
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number } | null;
  /** The user's VRAM budget in bytes; null: none set. */
  budget: number | null;
  /** The converter's verdict that the components do not all fit in a browser tab (manifest.memoryTight). */
  memoryTight: boolean;
}

export interface MemoryPlan {
  kind: PlanKind;
  /** Bytes the sessions may hold at once: the budget less the activation reserve (Infinity when unbounded). */
  sessionBytes: number;
  /** The budget the plan was made for (bytes, Infinity when none) and the part kept for activations. */
  budget: number;
  reserve: number;
  /** Sessions that stay open across phases, most important first. */
  resident: SessionRole[];
  /** onnxruntime's WebGPU storage-buffer cache mode; null on WASM. */
  storageBufferCacheMode: BufferCacheMode | null;
  bytes: ComponentBytes;
}

/** A bundle the converter marked memory-tight, with no budget set, gets this one (as before the planner). */
const DEFAULT_TIGHT_BUDGET = 8 * 1024 ** 3;

/**
 * Activations get two of the largest buffers a phase may allocate (the AE tiles are capped at 256 MiB and the
 * device's binding size, workers/kontext/tiles.ts); WASM has no such limit and no reserve.
 */
const RESERVED_BUFFERS = 2;
/** The largest single buffer an AE pass may ask for before it is tiled (issue #12's bar). */
export const AE_BUFFER_CAP = 256 * 1024 ** 2;

const sum = (bytes: ComponentBytes, roles: readonly SessionRole[]) => roles.reduce((n, r) => n + bytes[r], 0);

/** Each file's size by path, as the manifest gives it. */
export const getFileBytes = (manifest: Pick<Manifest, 'files'>): Map<string, number> =>
  new Map(manifest.files.map((f) => [f.path, f.bytes]));

/** The weight bytes of each session, from the manifest's file sizes (graph plus external data). */
export function getComponentBytes(manifest: Pick<Manifest, 'files' | 'components'>): ComponentBytes {
  const size = getFileBytes(manifest);
  const of = (g: GraphFiles | null) => (g ? [g.graph, ...g.data].reduce((n, p) => n + (size.get(p) ?? 0), 0) : 0);
  const c = manifest.components;
  return {
    dit: c.dit.reduce((n, g) => n + of(g), 0),
    t5: of(c.t5),
    clip: of(c.clip),
    aeEncoder: of(c.aeEncoder),
    aeDecoder: of(c.aeDecoder),
    previewDecoder: of(c.previewDecoder),
  };
}

/** Decides which sessions stay resident. @throws PlanError when even the DiT alone is over the budget. */
export function planMemory(input: MemoryPlanInput): MemoryPlan {
  const budget = input.budget ?? (input.memoryTight ? DEFAULT_TIGHT_BUDGET : Infinity);
  const { limits, bytes } = input;
  const reserve = limits
    ? RESERVED_BUFFERS * Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize, AE_BUFFER_CAP)
    : 0;
  const sessionBytes = Math.max(0, budget - reserve);
  const largest = PRIORITY.reduce((m, r) => (bytes[r] > bytes[m] ? r : m), PRIORITY[0]!);
  if (bytes[largest] > sessionBytes) {
    throw new PlanError(
      `the ${ROLE_NAMES[largest]} alone needs ${formatBytes(bytes[largest])}, and the VRAM budget of ` +
        `${formatBytes(budget)} leaves ${formatBytes(sessionBytes)} for weights` +
        (reserve > 0 ? ` after ${formatBytes(reserve)} for activations` : '') +
        ': raise the budget in the Engine panel, or use a smaller bundle',
    );
  }
  const resident: SessionRole[] = [];
  for (const role of PRIORITY) {
    if (bytes[role] > 0 && sum(bytes, resident) + bytes[role] <= sessionBytes) resident.push(role);
  }
  const ditAndAe: SessionRole[] = ['dit', 'aeDecoder', 'aeEncoder', 'previewDecoder'];
  const kind: PlanKind =
    sum(bytes, PRIORITY) <= sessionBytes
      ? 'all-resident'
      : sum(bytes, ditAndAe) <= sessionBytes
        ? 'dit-ae-resident'
        : 'per-phase';
  return {
    kind,
    budget,
    reserve,
    sessionBytes,
    resident,
    storageBufferCacheMode: chooseCacheMode(kind, limits),
    bytes,
  };
}

/**
 * 'simple' (exact-size reuse) when the DiT stays open: its shapes are the same every step of an edit, so steps
 * after the first allocate nothing, where the default 'bucket' rounds sizes up (27 % more peak memory in
 * onnxruntime issue #29016). 'lazyRelease' when phases replace each other: a cached buffer would only keep the
 * last phase's activations from the next phase's weights. onnxruntime fixes the mode per device at its first session.
 */
function chooseCacheMode(kind: PlanKind, limits: MemoryPlanInput['limits']): BufferCacheMode | null {
  if (!limits) return null;
  return kind === 'per-phase' ? 'lazyRelease' : 'simple';
}

/**
 * Which open sessions to close before `needed` opens: none when everything fits; otherwise the ones outside the
 * plan's resident set first, then residents from the least important, until the rest plus `needed` fit.
 * `needed` is never closed; an open session that is also needed counts once.
 */
export function chooseEvictions(plan: MemoryPlan, open: readonly SessionRole[], needed: readonly SessionRole[]) {
  const keep = new Set(open);
  const total = () => sum(plan.bytes, [...new Set([...keep, ...needed])]);
  const order = [...PRIORITY]
    .reverse()
    .sort((a, b) => Number(plan.resident.includes(a)) - Number(plan.resident.includes(b)));
  const closing: SessionRole[] = [];
  for (const role of order) {
    if (total() <= plan.sessionBytes) break;
    if (!keep.has(role) || needed.includes(role)) continue;
    keep.delete(role);
    closing.push(role);
  }
  return closing;
}

/** The planner refused a budget (the engine reports it as `out-of-memory`). */
export class PlanError extends Error {}

const ROLE_NAMES: Record<SessionRole, string> = {
  dit: 'DiT',
  t5: 'T5 encoder',
  clip: 'CLIP encoder',
  aeEncoder: 'AE encoder',
  aeDecoder: 'AE decoder',
  previewDecoder: 'preview decoder',
};
