/**
 * @file The manifest's optional `components.ae_decoder_stages`: the AE decoder cut at every GroupNorm into graphs the
 * engine runs tile by tile with whole-picture norm statistics (docs/graph-contract.md § Staged AE decoder,
 * workers/kontext/stagedDecode.ts). Absent in older bundles: those tile with the blended whole-decoder path.
 */
import type { GraphFiles } from './manifest';

/** The tensor the first stage reads: the decoder's latent input. */
export const STAGE_LATENT = 'latent';

/** One stage graph and how to feed it. */
export interface AeDecoderStage {
  graph: GraphFiles;
  /** Name of the tensor this stage writes (a BFL module name), which later stages read. */
  output: string;
  /** The tensor fed as `x`: `latent` or an earlier stage's output. */
  input: string;
  /** An earlier stage's output fed as `skip` (the same crop as x), if any. */
  skip?: string;
  /** The GroupNorm applied to x inside, whose whole-picture statistics are fed as `mean`/`rstd`. */
  norm?: { groups: number; epsilon: number };
  /** Output pixels per input pixel along each axis (2 for an upsample). */
  upscale: number;
  /** Input pixels around a tile the stage needs to compute the tile exactly (1 for a 3×3 conv). */
  halo: number;
  /** Runs on the whole picture at once (the mid-block attention), not per tile. */
  whole: boolean;
  /** Channels of the output. */
  channels: number;
}

type Json = Record<string, unknown>;

/**
 * Validates `components.ae_decoder_stages` (null or absent: none). `parseGraph` reads each stage's files.
 * @param fail throws the caller's error (ManifestError) with the message naming the field.
 */
export function parseAeDecoderStages(
  v: unknown,
  parseGraph: (g: unknown, at: string) => GraphFiles,
  fail: (message: string) => never,
): AeDecoderStage[] | null {
  if (v == null) return null;
  if (!Array.isArray(v) || v.length === 0) fail('manifest: components.ae_decoder_stages must be a non-empty array');
  const known = new Set([STAGE_LATENT]);
  return v.map((entry: unknown, i) => {
    const at = `components.ae_decoder_stages[${i}]`;
    const o = (typeof entry === 'object' && entry !== null ? entry : fail(`manifest: ${at} must be an object`)) as Json;
    const int = (key: string, min: number) => {
      const n = o[key];
      if (!Number.isInteger(n) || (n as number) < min) fail(`manifest: ${at}.${key} must be an integer ≥ ${min}`);
      return n as number;
    };
    const tensor = (key: string) => {
      const name = o[key];
      if (typeof name !== 'string' || !known.has(name))
        fail(`manifest: ${at}.${key} must name the latent or an earlier stage's output, got ${JSON.stringify(name)}`);
      return name;
    };
    const output = o.output;
    if (typeof output !== 'string' || known.has(output))
      fail(`manifest: ${at}.output must be a new tensor name, got ${JSON.stringify(output)}`);
    const stage: AeDecoderStage = {
      graph: parseGraph(o, at),
      output,
      input: tensor('input'),
      ...(o.skip == null ? {} : { skip: tensor('skip') }),
      ...(o.norm_groups == null ? {} : { norm: { groups: int('norm_groups', 1), epsilon: epsilonOf(o, at, fail) } }),
      upscale: int('upscale', 1),
      halo: int('halo', 0),
      whole: o.whole === true,
      channels: int('channels', 1),
    };
    known.add(output);
    return stage;
  });
}

function epsilonOf(o: Json, at: string, fail: (message: string) => never): number {
  const e = o.norm_epsilon;
  if (typeof e !== 'number' || !(e > 0)) fail(`manifest: ${at}.norm_epsilon must be a positive number`);
  return e;
}

/** The inverse of parseAeDecoderStages, as manifest.json spells it. */
export function aeDecoderStagesToJson(stages: readonly AeDecoderStage[]): Json[] {
  return stages.map((s) => ({
    graph: s.graph.graph,
    data: s.graph.data,
    output: s.output,
    input: s.input,
    ...(s.skip ? { skip: s.skip } : {}),
    ...(s.norm ? { norm_groups: s.norm.groups, norm_epsilon: s.norm.epsilon } : {}),
    upscale: s.upscale,
    halo: s.halo,
    whole: s.whole,
    channels: s.channels,
  }));
}
