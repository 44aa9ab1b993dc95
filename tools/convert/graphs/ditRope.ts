/**
 * @file RoPE tables computed in the graph from the position ids (docs/kontext-spec.md §3): pair p of the
 * head dim belongs to axis i (axis 0's pairs first) and turns by pos_i · ω with
 * ω = theta^(−2j/d_i), j = 0 … d_i/2 − 1.
 */
import type { DitConfig } from '../../../workers/bundle/manifest';
import type { DitGraph } from './ditOps';

/**
 * Returns the [3, headDim / 2] matrix W with W[i][p] = ω of pair p when p belongs to axis i, else 0,
 * so that ids [L, 3] @ W gives every pair's angle (one non-zero term per sum: exact in float32).
 */
function makeRopeFrequencyMatrix(config: DitConfig): Float32Array {
  const pairs = config.axesDim.reduce((a, b) => a + b, 0) / 2;
  const w = new Float32Array(3 * pairs);
  let p = 0;
  config.axesDim.forEach((d, axis) => {
    for (let j = 0; j < d / 2; j++, p++) w[axis * pairs + p] = config.theta ** ((-2 * j) / d);
  });
  return w;
}

/** Sets g.ropeCos / g.ropeSin [L_txt + L_img, headDim / 2] for the joint [txt; img] sequence. */
export function addRopeTables(g: DitGraph, txtIds: string, imgIds: string): void {
  g.b.inFloat32(() => addRopeTablesFp32(g, txtIds, imgIds)); // angles up to ~10³ rad need fp32
}

function addRopeTablesFp32(g: DitGraph, txtIds: string, imgIds: string): void {
  const pairs = g.config.axesDim.reduce((a, b) => a + b, 0) / 2;
  const freqs = g.b.addInitializer('rope_frequencies', makeRopeFrequencyMatrix(g.config), [3, pairs]);
  const ids = g.b.addOp('Concat', [txtIds, imgIds], { axis: 0 }); // text first, as attention sees it
  const angles = g.b.addOp('MatMul', [ids, freqs]);
  g.ropeCos = g.b.addOp('Cos', [angles]);
  g.ropeSin = g.b.addOp('Sin', [angles]);
}
