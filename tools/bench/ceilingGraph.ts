/**
 * @file The large-shape bare-MatMul ceiling's graph: the DiT's MLP shape (sequence × hidden → hidden × mlp_ratio and back) as a
 * chain of plain MatMuls, one up/down pair per transformer block, so one run does about the multiply-adds of a DiT
 * call's linear layers with nothing else around them. Built here (Node), run on both runtimes by ceiling.ts.
 */
import type { Manifest } from '../../workers/bundle/manifest';
import { GraphBuilder } from '../convert/onnx/GraphBuilder';
import { serializeModel } from '../convert/onnx/serialize';
import { ceilingFlops, type CeilingGraph, type CeilingShape } from './ceiling';

/** The shape of a DiT call on the bundle's first bucket: target + one reference image and the T5 text. */
export function getCeilingShape(manifest: Manifest): CeilingShape {
  const { ae, patchSize, dit, t5 } = manifest.model;
  const [w, h] = manifest.sampling.resolutions[0]!;
  const imageTokens = (w / ae.spatialFactor / patchSize) * (h / ae.spatialFactor / patchSize);
  return {
    rows: 2 * imageTokens + t5.maxLength,
    hidden: dit.hiddenSize,
    inner: Math.round(dit.hiddenSize * dit.mlpRatio),
    pairs: dit.depth + dit.depthSingleBlocks,
  };
}

/** The MatMul chain as one self-contained ONNX model (weights inline, small random values). */
export function buildCeilingGraph(shape: CeilingShape): CeilingGraph {
  const b = new GraphBuilder();
  let x = b.addInput('x', 'float', [shape.rows, shape.hidden]);
  let seed = 1;
  const weights = (rows: number, cols: number) =>
    Float32Array.from({ length: rows * cols }, () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed / 0x7fffffff - 0.5) / Math.sqrt(rows);
    });
  for (let i = 0; i < shape.pairs; i++) {
    const up = b.addInitializer(`up${i}`, weights(shape.hidden, shape.inner), [shape.hidden, shape.inner]);
    const down = b.addInitializer(`down${i}`, weights(shape.inner, shape.hidden), [shape.inner, shape.hidden]);
    x = b.addOp('MatMul', [b.addOp('MatMul', [x, up]), down]);
  }
  b.addOutput(x, 'y', 'float', [shape.rows, shape.hidden]);
  return {
    model: serializeModel(b, { graphName: 'matmul_ceiling', externalThresholdBytes: Infinity }).model,
    inputs: [{ name: 'x', dims: [shape.rows, shape.hidden] }],
    flops: ceilingFlops(shape),
  };
}
