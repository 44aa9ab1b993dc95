/**
 * @file The manifest's `precision`: per component, the activations inside its graphs and the storage of its
 * weights (docs/graph-contract.md, "Mixed precision"). Older manifests have none: theirs follows `weights`.
 */

/** What a component's graphs compute in: fp32, fp16 with fp32 islands, or fp16 emulated in fp32 tensors (tests). */
export type ActivationPrecision = 'fp32' | 'fp16' | 'fp16-emulated';

/** How a component stores its Linear (and conv, embedding) weights. */
export type WeightPrecision = 'fp32' | 'fp16' | 'int4';

interface ComponentPrecision {
  activations: ActivationPrecision;
  weights: WeightPrecision;
}

/** The components `precision` describes, by their manifest (`components`) names. */
const PRECISION_COMPONENTS = ['dit', 't5', 'clip', 'ae_encoder', 'ae_decoder'] as const;

export type PrecisionComponent = (typeof PRECISION_COMPONENTS)[number];

export type BundlePrecision = Record<PrecisionComponent, ComponentPrecision>;

const ACTIVATIONS: readonly string[] = ['fp32', 'fp16', 'fp16-emulated'];
const WEIGHTS: readonly string[] = ['fp32', 'fp16', 'int4'];

/**
 * The precision of a bundle converted with these options (without `precision`: fp32 activations). The AE has no
 * Linear layers, so int4 leaves its convs fp32, except with fp16 activations, whose fp16 convs store fp16 weights.
 */
export function getDefaultPrecision(
  weights: WeightPrecision,
  activations: ActivationPrecision = 'fp32',
): BundlePrecision {
  const aeWeights = weights === 'fp16' || activations !== 'fp32' ? 'fp16' : 'fp32';
  const ae: ComponentPrecision = { activations, weights: aeWeights };
  const text: ComponentPrecision = { activations, weights };
  return { dit: { ...text }, t5: { ...text }, clip: { ...text }, ae_encoder: ae, ae_decoder: { ...ae } };
}

/** True when `p` is what a manifest without `precision` means (so the converter can leave it out). */
export function isDefaultPrecision(p: BundlePrecision, weights: WeightPrecision): boolean {
  return JSON.stringify(p) === JSON.stringify(getDefaultPrecision(weights));
}

/**
 * Validates a manifest's `precision` (absent: the default for `weights`).
 * @throws Error naming the field (the caller wraps it as a ManifestError).
 */
export function parsePrecision(v: unknown, weights: WeightPrecision): BundlePrecision {
  if (v == null) return getDefaultPrecision(weights);
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error('precision must be an object');
  const o = v as Record<string, unknown>;
  const out = {} as BundlePrecision;
  for (const name of PRECISION_COMPONENTS) {
    const c = o[name] as Record<string, unknown> | undefined;
    if (typeof c !== 'object' || c === null) throw new Error(`precision.${name} must be an object`);
    if (!ACTIVATIONS.includes(c.activations as string))
      throw new Error(`precision.${name}.activations must be one of ${ACTIVATIONS.join(', ')}`);
    if (!WEIGHTS.includes(c.weights as string))
      throw new Error(`precision.${name}.weights must be one of ${WEIGHTS.join(', ')}`);
    out[name] = { activations: c.activations as ActivationPrecision, weights: c.weights as WeightPrecision };
  }
  return out;
}

/** The components whose graphs hold fp16 tensors, which on WebGPU need `shader-f16`. */
export function getFp16Components(p: BundlePrecision): PrecisionComponent[] {
  return PRECISION_COMPONENTS.filter((name) => p[name].activations === 'fp16');
}
