/**
 * @file The DiT's input side (docs/kontext-spec.md §2.2): sinusoidal timestep/guidance embeddings, the
 * conditioning vector `vec`, and the image/text input projections.
 */
import { TIME_EMBED_DIM } from './ditConfig';
import type { DitGraph } from './ditOps';

/** Inputs and projections for the block chain. */
export interface DitEmbeddings {
  img: string;
  txt: string;
  vec: string;
}

/** Returns 1000 · f_k with f_k = exp(−ln(10000) · k / half), k < half (scaled in float64, rounded once). */
function makeTimestepFrequencies(dim = TIME_EMBED_DIM): Float32Array {
  const half = dim / 2;
  return Float32Array.from({ length: half }, (_, k) => 1000 * Math.exp((-Math.log(10_000) * k) / half));
}

/** [cos(1000·s·f) | sin(1000·s·f)] for s [1]: [1, 256], cos half first. */
function addTimestepEmbedding(g: DitGraph, s: string): string {
  const freqs = g.getConstant('timestep_frequencies', () => makeTimestepFrequencies(), [1, TIME_EMBED_DIM / 2]);
  const args = g.b.addOp('Mul', [g.b.addOp('Unsqueeze', [s, g.getInt64('axis_last', [1])]), freqs]);
  return g.b.addOp('Concat', [g.b.addOp('Cos', [args]), g.b.addOp('Sin', [args])], { axis: -1 });
}

/** MLPEmbedder: out_layer(SiLU(in_layer(x))). */
async function addMlpEmbedder(g: DitGraph, prefix: string, x: string): Promise<string> {
  return g.addLinear(`${prefix}.out_layer`, g.addSilu(await g.addLinear(`${prefix}.in_layer`, x)));
}

/** Builds vec = time_in(emb(t)) [+ guidance_in(emb(g))] + vector_in(pooled) and projects img and txt. */
export async function addEmbeddings(
  g: DitGraph,
  inputs: { hidden: string; context: string; pooled: string; timestep: string; guidance: string },
): Promise<DitEmbeddings> {
  const img = await g.addLinear('img_in', inputs.hidden);
  const txt = await g.addLinear('txt_in', inputs.context);
  // The timestep/guidance embedding and vec stay fp32 in mixed graphs: cos/sin of 1000·t·f need the precision.
  const vec = await g.b.inFloat32(() => addVec(g, inputs));
  return { img, txt, vec };
}

async function addVec(g: DitGraph, inputs: { pooled: string; timestep: string; guidance: string }): Promise<string> {
  let vec = await addMlpEmbedder(g, 'time_in', addTimestepEmbedding(g, inputs.timestep));
  if (g.config.guidanceEmbed) {
    vec = g.b.addOp('Add', [vec, await addMlpEmbedder(g, 'guidance_in', addTimestepEmbedding(g, inputs.guidance))]);
  }
  return g.b.addOp('Add', [vec, await addMlpEmbedder(g, 'vector_in', inputs.pooled)]);
}
