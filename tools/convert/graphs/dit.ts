/**
 * @file FLUX.1 (Kontext) DiT checkpoint → `dit.onnx`, or K segment graphs `dit.0.onnx` …
 * `dit.{K-1}.onnx` run back to back (docs/graph-contract.md). The config comes from the tensors;
 * tensors stream one at a time from the TensorSource into external-data shards.
 */
import type { DitConfig } from '../../../workers/bundle/manifest';
import type { BundleSink } from '../io/bundleSink';
import { GraphBuilder } from '../onnx/GraphBuilder';
import { saveModel } from '../onnx/save';
import { ShardWriter } from '../onnx/shardWriter';
import type { TensorSource } from '../safetensors';
import { describeGraph } from './commonIo';
import { addDoubleBlock, addFinalLayer, addSingleBlock, type DitStreams } from './ditBlocks';
import { checkDitTensors, getHeadDim, inferDitConfig } from './ditConfig';
import { addEmbeddings } from './ditEmbed';
import { DitGraph } from './ditOps';
import { addRopeTables } from './ditRope';
import {
  BATCH,
  DIT_OUTPUT_NAME,
  FIRST_RESIDUAL_NAME,
  getDitGraphFileName,
  planDitSegments,
  SEGMENT_OUTPUT_SUFFIX,
  SEGMENT_SHARED_NAMES,
  SEGMENT_STREAM_NAMES,
  type DitSegmentPlan,
} from './ditSegments';
import { DitWeightReader } from './ditWeights';
import type { ConvertedComponent, ConvertedGraph, ConvertOptions } from './types';

/** Options for convertDit(). */
export interface DitConvertOptions extends ConvertOptions {
  /** Number of segment graphs (1 = one `dit.onnx`). */
  segments: number;
  /**
   * The first-block-cache layout (planDitSegments): the first double block alone, then `segments` graphs, then
   * the final layer alone; segment 0 also outputs the first block's residual.
   */
  firstBlockCache?: boolean;
  /** Replaces inferred fields, e.g. axesDim/theta for a checkpoint without `__metadata__.config`. */
  configOverride?: Partial<DitConfig>;
}

/**
 * Converts a FLUX DiT checkpoint into `options.segments` graphs in `sink`.
 * @throws DitCheckpointError naming the file and tensor when the checkpoint does not match the layout
 *   its own shapes imply (missing, misshapen or unexpected tensors); RangeError for a bad segment count.
 */
export async function convertDit(
  source: TensorSource,
  sink: BundleSink,
  options: DitConvertOptions,
): Promise<ConvertedComponent<DitConfig>> {
  const config = inferDitConfig(source, options.configOverride);
  const shapes = checkDitTensors(source, config);
  const plans = planDitSegments(config, options.segments, options.firstBlockCache);
  const weights = new DitWeightReader(source, shapes, options.onTensor);
  const graphs: ConvertedGraph[] = [];
  for (const plan of plans) graphs.push(await buildSegment(config, weights, plan, plans.length, sink, options));
  weights.assertAllUsed();
  return { config, graphs };
}

async function buildSegment(
  config: DitConfig,
  weights: DitWeightReader,
  plan: DitSegmentPlan,
  count: number,
  sink: BundleSink,
  options: DitConvertOptions,
): Promise<ConvertedGraph> {
  const fileName = getDitGraphFileName(plan.index, count);
  const writer = new ShardWriter(sink, { dataFileName: `${fileName}.data`, maxShardBytes: options.maxShardBytes });
  try {
    const b = new GraphBuilder({ sink: writer, activations: options.activations });
    const g = new DitGraph(b, config, weights, options.weights, options.blockSize, options.accuracyLevel);
    weights.resetCount();
    const first = plan.index === 0;
    const last = plan.index === count - 1;
    const { streams, vec } = first ? await addContractInputs(g) : addSegmentInputs(g);
    g.siluVec = g.addSilu(vec);
    const output = await addBlocks(g, plan, streams);
    if (first && options.firstBlockCache) {
      const residual = b.addOp('Sub', [output.img, streams.img]);
      b.addOutput(residual, FIRST_RESIDUAL_NAME, 'float', [BATCH, 'L_img', config.hiddenSize]);
    }
    if (last) {
      b.addOutput(await addFinalLayer(g, output.img), DIT_OUTPUT_NAME, 'float', [BATCH, 'L_img', config.inChannels]);
    } else {
      const h = config.hiddenSize;
      b.addOutput(output.img, SEGMENT_STREAM_NAMES.img + SEGMENT_OUTPUT_SUFFIX, 'float', [BATCH, 'L_img', h]);
      b.addOutput(output.txt, SEGMENT_STREAM_NAMES.txt + SEGMENT_OUTPUT_SUFFIX, 'float', [BATCH, 'L_txt', h]);
    }
    if (first && !last) {
      const pairs = getHeadDim(config) / 2;
      b.addOutput(vec, SEGMENT_SHARED_NAMES.vec, 'float', [1, config.hiddenSize]);
      b.addOutput(g.ropeCos, SEGMENT_SHARED_NAMES.cos, 'float', ['L_joint', pairs]);
      b.addOutput(g.ropeSin, SEGMENT_SHARED_NAMES.sin, 'float', ['L_joint', pairs]);
    }
    const saved = saveModel(b, sink, {
      fileName,
      shardWriter: writer,
      maxShardBytes: options.maxShardBytes,
      metadata: { source: 'FLUX.1 DiT', segment: `${plan.index}/${count}`, weights: options.weights },
    });
    return await describeGraph(sink, saved.modelFile, saved.dataFiles, weights.parameters);
  } finally {
    writer.close();
  }
}

/** Segment 0: the contract inputs, RoPE tables, embeddings and input projections. */
async function addContractInputs(g: DitGraph): Promise<{ streams: DitStreams; vec: string }> {
  const c = g.config;
  const hidden = g.b.addInput('hidden_states', 'float', [BATCH, 'L_img', c.inChannels]);
  const context = g.b.addInput('encoder_hidden_states', 'float', [BATCH, 'L_txt', c.contextInDim]);
  const pooled = g.b.addInput('pooled_projections', 'float', [1, c.vecInDim]);
  const timestep = g.b.addInput('timestep', 'float', [1]);
  const imgIds = g.b.addInput('img_ids', 'float', ['L_img', 3]);
  const txtIds = g.b.addInput('txt_ids', 'float', ['L_txt', 3]);
  const guidance = g.b.addInput('guidance', 'float', [1]);
  addRopeTables(g, txtIds, imgIds);
  const { img, txt, vec } = await addEmbeddings(g, { hidden, context, pooled, timestep, guidance });
  return { streams: { img, txt }, vec };
}

/** Later segments: the streams from the previous segment, vec and RoPE tables from segment 0. */
function addSegmentInputs(g: DitGraph): { streams: DitStreams; vec: string } {
  const h = g.config.hiddenSize;
  const pairs = getHeadDim(g.config) / 2;
  const img = g.b.addInput(SEGMENT_STREAM_NAMES.img, 'float', [BATCH, 'L_img', h]);
  const txt = g.b.addInput(SEGMENT_STREAM_NAMES.txt, 'float', [BATCH, 'L_txt', h]);
  const vec = g.b.addInput(SEGMENT_SHARED_NAMES.vec, 'float', [1, h]);
  g.ropeCos = g.b.addInput(SEGMENT_SHARED_NAMES.cos, 'float', ['L_joint', pairs]);
  g.ropeSin = g.b.addInput(SEGMENT_SHARED_NAMES.sin, 'float', ['L_joint', pairs]);
  return { streams: { img, txt }, vec };
}

/** The segment's double blocks, then its single blocks on the joint [txt; img] sequence. */
async function addBlocks(g: DitGraph, plan: DitSegmentPlan, input: DitStreams): Promise<DitStreams> {
  if (plan.double[0] === plan.double[1] && plan.single[0] === plan.single[1]) return input; // the head
  const txtLen = g.addTokenCount(input.txt);
  let streams = input;
  for (let i = plan.double[0]; i < plan.double[1]; i++) streams = await addDoubleBlock(g, i, streams, txtLen);
  if (plan.single[0] === plan.single[1]) return streams;
  let x = g.addConcatTokens(streams.txt, streams.img);
  for (let j = plan.single[0]; j < plan.single[1]; j++) x = await addSingleBlock(g, j, x);
  return g.addSplitTokens(x, txtLen);
}
