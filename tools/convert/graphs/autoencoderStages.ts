/**
 * @file The staged AE decoder (docs/graph-contract.md § Staged AE decoder): the decoder cut at every GroupNorm, one
 * graph per stage, so the engine can feed each norm the statistics of the whole picture while running the stage tile
 * by tile. Tiled decodes then equal the whole decode up to float error (the plain tiled path computes GroupNorm
 * statistics per tile and is off by ~0.1 on [0, 1]). Every stage's graph takes the tile of its input `x` (with a halo
 * for its 3×3 conv) and returns the tile's core `y` with the per-channel sums the next norm needs.
 */
import type { AeDecoderStage } from '../../../workers/bundle/aeStages';
import type { GraphBuilder } from '../onnx/GraphBuilder';
import { addAffine, addUpsampleNearest } from '../onnx/layers';
import { addInt64s, addSwish } from './common';
import type { AeArchitecture } from './autoencoderConfig';
import { AeGraph, GROUP_NORM_EPS } from './autoencoderGraph';
import { startGraph, WeightReader } from './commonIo';
import type { ConvertedGraph, ConvertOptions } from './types';
import type { BundleSink } from '../io/bundleSink';
import type { TensorSource } from '../safetensors';

/** The input tensor name of the first stage. */
const LATENT = 'latent';

/** A stage's body: from its input `x`, `x` normalised with the whole picture's statistics, and `skip`. */
type StageBody = (g: AeGraph, x: string, normed: string, skip: string | undefined) => Promise<string>;

/** One stage before it is built: the manifest fields plus the BFL norm it applies and its body. */
interface StagePlan extends Omit<AeDecoderStage, 'graph' | 'norm'> {
  /** BFL name of the GroupNorm applied to `x` (its statistics are fed in), if any. */
  normName?: string;
  body: StageBody;
}

/** Cuts the decoder of `a` into stages, in the order they run; the last one writes the image. */
export function planDecoderStages(a: AeArchitecture): StagePlan[] {
  const widths = [a.ch, ...a.chMult.map((m) => a.ch * m)];
  const plans: StagePlan[] = [];
  let current = LATENT;
  let channels = widths[widths.length - 1]!;
  const add = (p: Omit<StagePlan, 'input' | 'upscale' | 'halo' | 'whole' | 'channels'> & Partial<StagePlan>) => {
    plans.push({ input: current, upscale: 1, halo: 1, whole: false, channels, ...p });
    current = p.output;
  };
  add({
    output: 'decoder.conv_in',
    body: (g, x) =>
      g.conv(
        'decoder.conv_in',
        g.b.inFloat32(() => addAffine(g.b, x, 1 / a.scaleFactor, a.shiftFactor)),
      ),
  });
  const resnet = (name: string, out: number) => {
    const blockInput = current;
    add({
      output: `${name}.conv1`,
      normName: `${name}.norm1`,
      channels: out,
      body: (g, _x, n) => g.resnetFirstHalf(name, n),
    });
    add({
      output: name,
      skip: blockInput,
      normName: `${name}.norm2`,
      channels: out,
      body: (g, _x, n, skip) => g.resnetSecondHalf(name, n, skip!),
    });
    channels = out;
  };
  resnet('decoder.mid.block_1', channels);
  const attn = 'decoder.mid.attn_1';
  // The attention mixes every position, so it runs on the whole (lowest-resolution) picture, chunked inside.
  add({
    output: attn,
    normName: `${attn}.norm`,
    whole: true,
    halo: 0,
    body: (g, x, n) => g.b.inFloat32(() => g.attentionAfterNorm(attn, x, n)),
  });
  resnet('decoder.mid.block_2', channels);
  for (let i = a.chMult.length - 1; i >= 0; i--) {
    for (let j = 0; j <= a.numResBlocks; j++) resnet(`decoder.up.${i}.block.${j}`, widths[i + 1]!);
    if (i !== 0) {
      const name = `decoder.up.${i}.upsample`;
      add({ output: name, upscale: 2, body: (g, x) => g.conv(`${name}.conv`, addUpsampleNearest(g.b, x, 2)) });
    }
  }
  add({
    output: 'decoder.conv_out',
    normName: 'decoder.norm_out',
    channels: a.outChannels,
    body: (g, _x, n) => g.conv('decoder.conv_out', addSwish(g.b, n)),
  });
  return plans;
}

/** File name of stage `i`. */
const stageFile = (i: number) => `ae_decoder.stage${String(i).padStart(2, '0')}.onnx`;

/**
 * Writes the staged decoder's graphs to `sink` and returns each stage's manifest entry with its files. Reads the
 * decoder's weights a second time (without reporting progress: the whole decoder already did).
 */
export async function convertDecoderStages(
  source: TensorSource,
  a: AeArchitecture,
  sink: BundleSink,
  options: ConvertOptions,
): Promise<{ stage: Omit<AeDecoderStage, 'graph'>; graph: ConvertedGraph }[]> {
  const reader = new WeightReader(source, options.onTensor); // counted in the step's progress
  const plans = planDecoderStages(a);
  const channelsOf = new Map<string, number>([[LATENT, a.zChannels]]);
  const out: { stage: Omit<AeDecoderStage, 'graph'>; graph: ConvertedGraph }[] = [];
  for (const [i, { body, normName, ...stage }] of plans.entries()) {
    const target = startGraph(sink, stageFile(i), options);
    try {
      await buildStage(new AeGraph(target.b, reader, a, options), { ...stage, normName, body }, channelsOf);
      const graph = await target.finish(reader.takeParameters(), {
        source: `FLUX autoencoder decoder stage ${i}: ${stage.output} (BFL ae.safetensors)`,
      });
      out.push({
        stage: { ...stage, ...(normName ? { norm: { groups: a.numGroups, epsilon: GROUP_NORM_EPS } } : {}) },
        graph,
      });
    } catch (e) {
      target.abort();
      throw e;
    }
    channelsOf.set(stage.output, stage.channels);
  }
  return out;
}

/**
 * One stage graph. Inputs: `x` [1, C, H, W] (a tile of the input tensor with its halo), `mean` and `rstd`
 * [1, C, 1, 1] when the stage normalises x, `skip` [1, C_s, H, W] (the same crop of the skip tensor), and
 * `core_start`/`core_end` [2] int64 (the tile's core in output pixels, rows then columns). Outputs: `y` (the core),
 * `sum` and `sum_squares` [C'] (per channel over the core, for the next stage's GroupNorm statistics).
 */
async function buildStage(g: AeGraph, p: StagePlan, channelsOf: ReadonlyMap<string, number>): Promise<void> {
  const { b } = g;
  const inputChannels = channelsOf.get(p.input)!;
  const x = b.addInput('x', 'float', [1, inputChannels, 'H', 'W']);
  let normed = x;
  if (p.normName) {
    const mean = b.addInput('mean', 'float', [1, inputChannels, 1, 1]);
    const rstd = b.addInput('rstd', 'float', [1, inputChannels, 1, 1]);
    normed = await g.normWithStats(p.normName, x, mean, rstd);
  }
  const skip = p.skip ? b.addInput('skip', 'float', [1, channelsOf.get(p.skip)!, 'H', 'W']) : undefined;
  const y = await p.body(g, x, normed, skip);
  const start = b.addInput('core_start', 'int64', [2]);
  const end = b.addInput('core_end', 'int64', [2]);
  const core = b.inFloat32(() => b.addOp('Slice', [y, start, end, addInt64s(b, [2, 3], 'core_axes')]));
  const [sum, squares] = addChannelSums(b, core);
  b.addOutput(core, 'y', 'float', [1, p.channels, 'h', 'w']);
  b.addOutput(sum, 'sum', 'float', [p.channels]);
  b.addOutput(squares, 'sum_squares', 'float', [p.channels]);
}

/** Σx and Σx² per channel of an NCHW tensor, in fp32. */
function addChannelSums(b: GraphBuilder, x: string): [string, string] {
  return b.inFloat32(() => {
    const axes = addInt64s(b, [0, 2, 3], 'sum_axes');
    const sum = b.addOp('ReduceSum', [x, axes], { keepdims: 0 });
    return [sum, b.addOp('ReduceSum', [b.addOp('Mul', [x, x]), axes], { keepdims: 0 })];
  });
}
