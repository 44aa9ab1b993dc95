/**
 * @file Whether the image the next edit starts from is outside the active model's input domain (its manifest
 * `domain`): the prompt bar then says so, and offers the full model. Measuring a large photo takes tens of ms,
 * so each image's flat share is cached by identity (images in the store never change in place).
 */
import type { BundleInfo, RgbaImage } from '../../workers/api';
import { measureFlatShare } from '../lib/imageDomain';
import { selectActiveBundle, selectCurrentImage } from './selectors';
import type { StudioState } from './state';

const flatShares = new WeakMap<RgbaImage, Map<string, number>>();

function cachedFlatShare(image: RgbaImage, size: [number, number]): number {
  const key = size.join('×');
  let byImage = flatShares.get(image);
  if (!byImage) flatShares.set(image, (byImage = new Map<string, number>()));
  let share = byImage.get(key);
  if (share === undefined) byImage.set(key, (share = measureFlatShare(image, size)));
  return share;
}

/** The active bundle when the current image is outside its domain (a stable store object, or null). */
export function selectOutsideDomain(s: StudioState): BundleInfo | null {
  const bundle = selectActiveBundle(s);
  const image = selectCurrentImage(s);
  if (!bundle?.domain || !image) return null;
  return cachedFlatShare(image, bundle.domain.measureSize) < bundle.domain.minFlatShare ? bundle : null;
}
