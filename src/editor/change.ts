/**
 * @file How much an edit changed its input: the share of pixels whose colour differs from the parent turn's, and
 * where that counts as "no change". With "keep unchanged pixels" (the default) what the model left alone comes back
 * byte for byte, so an edit that did nothing measures 0 % here instead of a few percent of decoder noise.
 */
import type { RgbaImage } from '../../workers/api';
import type { HistoryTree } from './history/types';

/** Below this share of changed pixels an edit is reported as having changed nothing (the threshold). */
export const NO_CHANGE_SHARE = 0.005;

const measured = new WeakMap<RgbaImage, WeakMap<RgbaImage, number>>();

/**
 * Share of `after`'s pixels whose RGB differs from `before`'s (alpha is ignored), or null when the sizes differ (a
 * resized result has no pixel-for-pixel comparison). Cached per pair: images are immutable once in the store.
 */
export function measureChange(before: RgbaImage, after: RgbaImage): number | null {
  if (before.width !== after.width || before.height !== after.height) return null;
  const cached = measured.get(after)?.get(before);
  if (cached !== undefined) return cached;
  let changed = 0;
  for (let o = 0; o < after.data.length; o += 4) {
    if (
      after.data[o] !== before.data[o] ||
      after.data[o + 1] !== before.data[o + 1] ||
      after.data[o + 2] !== before.data[o + 2]
    )
      changed++;
  }
  const share = changed / (after.width * after.height);
  measured.set(after, (measured.get(after) ?? new WeakMap()).set(before, share));
  return share;
}

/** True when a measured share counts as no change (null, not comparable, never does). */
export const isNoChange = (share: number | null): boolean => share !== null && share < NO_CHANGE_SHARE;

/** How much turn `id` changed its parent's image; null at the root, across a resize, or with an image missing. */
export function getTurnChange(tree: HistoryTree, images: Record<string, RgbaImage>, id: string): number | null {
  const node = tree.nodes[id];
  const parent = node?.parentId ? tree.nodes[node.parentId] : null;
  const after = node && images[node.image.id];
  const before = parent && images[parent.image.id];
  return after && before ? measureChange(before, after) : null;
}

/** The turns whose edit changed (almost) nothing, for marking them in the history. */
export function findUnchangedTurns(tree: HistoryTree, images: Record<string, RgbaImage>): Set<string> {
  return new Set(Object.keys(tree.nodes).filter((id) => isNoChange(getTurnChange(tree, images, id))));
}
