/**
 * @file The manifest's optional `domain`: which images a model was made for, in words and as a threshold the UI
 * checks (InputDomain). A model trained on a narrow domain (kontext-micro: simple drawings) declares it in its
 * converter sidecar; the real FLUX models take any image and declare none.
 */
import type { InputDomain } from '../api/jobs';

/** The manifest's part of InputDomain; the size to measure at comes from the resolution buckets. */
export type ManifestDomain = Omit<InputDomain, 'measureSize'>;

/**
 * Validates manifest `domain` ({ description, min_flat_share }); null or absent means any image.
 * @param fail throws the caller's error (ManifestError) with the message naming the field.
 */
export function parseDomain(v: unknown, fail: (message: string) => never): ManifestDomain | null {
  if (v == null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) fail('manifest: domain must be an object');
  const o = v as Record<string, unknown>;
  if (typeof o.description !== 'string' || o.description.trim() === '')
    fail('manifest: domain.description must be a non-empty string');
  const share = o.min_flat_share;
  if (typeof share !== 'number' || !(share >= 0 && share <= 1))
    fail(`manifest: domain.min_flat_share must be a number in [0, 1], got ${JSON.stringify(share)}`);
  return { description: o.description, minFlatShare: share };
}

/** The inverse of parseDomain, as manifest.json spells it. */
export function domainToJson(d: ManifestDomain): Record<string, unknown> {
  return { description: d.description, min_flat_share: d.minFlatShare };
}
