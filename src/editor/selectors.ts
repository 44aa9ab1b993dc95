/**
 * @file Derived values. Pure functions of the state; hooks wrap them, tests call them directly.
 */
import type { BundleInfo, RgbaImage } from '../../workers/api';
import { getTurnChange } from './change';
import { canRedo, canUndo } from './history/tree';
import type { TurnNode } from './history/types';
import { isMaskEmpty } from './mask';
import type { SessionSnapshot } from './ports';
import type { StudioState } from './state';

export function selectCurrentTurn(s: StudioState): TurnNode | null {
  return s.tree ? (s.tree.nodes[s.tree.currentId] ?? null) : null;
}

export function selectCurrentImage(s: StudioState): RgbaImage | null {
  const turn = selectCurrentTurn(s);
  return turn ? (s.images[turn.image.id] ?? null) : null;
}

/** The parent's image, for the before/after comparison (null at the root). */
export function selectParentImage(s: StudioState): RgbaImage | null {
  const turn = selectCurrentTurn(s);
  const parent = turn?.parentId && s.tree ? s.tree.nodes[turn.parentId] : null;
  return parent ? (s.images[parent.image.id] ?? null) : null;
}

/**
 * Share of the current turn's pixels that differ from its parent's (RGB), or null at the root and when the sizes
 * differ. Shows how much an edit touched: with "keep unchanged pixels" the rest is byte-identical.
 */
export function selectChangedShare(s: StudioState): number | null {
  return s.tree ? getTurnChange(s.tree, s.images, s.tree.currentId) : null;
}

/** Why a bundle cannot run edits now, or null when it can. */
function getBundleProblem(b: BundleInfo): string | null {
  if (b.unsupportedReason) return b.unsupportedReason;
  if (!b.complete) return 'not downloaded yet';
  return null;
}

/** The bundle edits will run on: the chosen one when usable, else the embedded one when usable. */
export function selectActiveBundle(s: StudioState): BundleInfo | null {
  const usable = (s.bundles ?? []).filter((b) => getBundleProblem(b) === null);
  return usable.find((b) => b.id === s.selectedBundleId) ?? usable.find((b) => b.embedded) ?? null;
}

function selectEmbeddedBundle(s: StudioState): BundleInfo | null {
  return s.bundles?.find((b) => b.embedded) ?? null;
}

/** What the engine prepares (EngineApi.selectBundle): one bundle on one backend. */
export const preparedKey = (bundleId: string, backend: string): string => `${bundleId}@${backend}`;

/**
 * The active bundle's name while the engine creates and warms up its sessions (on this backend), else null: the
 * model is not ready until the first edit runs as fast as the later ones.
 */
export function selectModelPreparing(s: StudioState): string | null {
  const active = selectActiveBundle(s);
  if (!active || !s.capabilities) return null;
  return s.preparedBundle === preparedKey(active.id, s.capabilities.backend) ? null : active.name;
}

/**
 * While the model is still on its way (the bundle list or the embedded install not done, nothing runnable yet):
 * the share of its bytes verified so far, 0–1; 1 while its sessions are prepared; else null. Generate queues its
 * edit meanwhile.
 */
export function selectModelLoading(s: StudioState): number | null {
  if (selectActiveBundle(s)) return selectModelPreparing(s) !== null ? 1 : null;
  const download = s.downloads.embedded;
  if (s.bundles !== null && s.embeddedChecked && !download?.running) return null;
  const files = download?.files ?? [];
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  const verified = files.reduce((sum, f) => sum + (f.state === 'verified' ? f.bytes : 0), 0);
  return total > 0 ? verified / total : 0;
}

/** Why Generate is not possible right now, or null (also while the model loads: the edit waits for it). */
export function selectGenerateBlocker(s: StudioState): string | null {
  if (!s.tree) return 'Open an image first.';
  if (s.job) return 'An edit is already running.';
  if (!s.prompt.text.trim()) return 'Type an instruction first.';
  if (selectModelLoading(s) !== null) return null;
  if (!selectActiveBundle(s)) {
    const embedded = selectEmbeddedBundle(s);
    if (embedded?.unsupportedReason) return `This machine cannot run ${embedded.name}: ${embedded.unsupportedReason}`;
    return 'No model is ready. Add or download one in Models.';
  }
  return null;
}

export const selectCanUndo = (s: StudioState): boolean => !!s.tree && !s.job && canUndo(s.tree);
export const selectCanRedo = (s: StudioState): boolean => !!s.tree && !s.job && canRedo(s.tree);
export const selectHasMask = (s: StudioState): boolean => !isMaskEmpty(s.mask);

/** The session as it should be saved (null when none is open). */
export function selectSnapshot(s: StudioState): SessionSnapshot | null {
  if (!s.sessionId || !s.tree) return null;
  return {
    id: s.sessionId,
    name: s.sessionName,
    createdAt: s.sessionCreatedAt,
    updatedAt: 0,
    tree: s.tree,
    images: s.images,
    masks: s.masks,
    draft: { mask: isMaskEmpty(s.mask) ? null : s.mask, references: s.references, prompt: s.prompt.text },
  };
}

/** One turn of an edit chain, as PNG metadata records it. */
export interface ChainStep {
  instruction: string;
  seed: number;
  steps: number;
  guidance: number;
  /** Runs averaged into the result (1 = a plain sample). */
  average: number;
  model: string;
  masked: boolean;
  references: number;
}

/** The edit chain from the opened image to the current turn, for PNG metadata. */
export function selectEditChain(s: StudioState): ChainStep[] {
  if (!s.tree) return [];
  const chain: ChainStep[] = [];
  for (let n: TurnNode | undefined = s.tree.nodes[s.tree.currentId]; n && n.parentId; n = s.tree.nodes[n.parentId]) {
    chain.unshift({
      instruction: n.instruction,
      seed: n.params?.seed ?? 0,
      steps: n.params?.steps ?? 0,
      guidance: n.params?.guidance ?? 0,
      average: n.params?.average ?? 1,
      model: n.model?.bundleName ?? 'unknown',
      masked: !!n.mask,
      references: n.references.length,
    });
  }
  return chain;
}
