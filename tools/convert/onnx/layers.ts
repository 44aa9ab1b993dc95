/**
 * @file Helpers for common layer patterns on a GraphBuilder. Each takes PyTorch-layout weights
 * and returns the name of its output value. Only ops with native WebGPU EP kernels are used.
 */
import { attrFloat, type GraphBuilder, type NodeOptions } from './GraphBuilder';
import { hasLength, type Tuple } from '../tuple';

/** Conv2d parameters in PyTorch layout. */
export interface Conv2dParams {
  /** [outChannels, inChannels / group, kH, kW] */
  weight: Float32Array;
  weightDims: readonly [number, number, number, number];
  bias?: Float32Array;
  stride?: number;
  /** Symmetric padding on every side (default: same-size for odd kernels). */
  padding?: number;
  group?: number;
  /** Initializer-name prefix, e.g. the checkpoint key. */
  name?: string;
}

/** Adds an NCHW Conv with optional bias. */
export function addConv2d(b: GraphBuilder, x: string, p: Conv2dParams): string {
  const [outCh, , kH, kW] = p.weightDims;
  const prefix = p.name ?? 'conv';
  const w = b.addInitializer(`${prefix}.weight`, p.weight, p.weightDims);
  const inputs = [x, w];
  if (p.bias) {
    if (p.bias.length !== outCh) throw new Error(`${prefix}: bias has ${p.bias.length} values, expected ${outCh}`);
    inputs.push(b.addInitializer(`${prefix}.bias`, p.bias, [outCh]));
  }
  const stride = p.stride ?? 1;
  const padH = p.padding ?? (kH - 1) / 2;
  const padW = p.padding ?? (kW - 1) / 2;
  if (!Number.isInteger(padH) || !Number.isInteger(padW)) throw new Error(`${prefix}: give padding for even kernels`);
  return b.addOp('Conv', inputs, {
    kernel_shape: [kH, kW],
    strides: [stride, stride],
    pads: [padH, padW, padH, padW],
    group: p.group ?? 1,
  });
}

/** Linear-layer parameters in PyTorch layout. */
export interface LinearParams {
  /** [outFeatures, inFeatures], as nn.Linear stores it. */
  weight: Float32Array;
  inFeatures: number;
  outFeatures: number;
  bias?: Float32Array;
  name?: string;
}

/** Adds `x @ W^T + b` as MatMul (+ Add) with the weight stored pre-transposed as [in, out]. */
export function addLinear(b: GraphBuilder, x: string, p: LinearParams): string {
  const prefix = p.name ?? 'linear';
  if (p.weight.length !== p.inFeatures * p.outFeatures) {
    throw new Error(`${prefix}: weight has ${p.weight.length} values, expected ${p.outFeatures}×${p.inFeatures}`);
  }
  const w = b.addInitializer(`${prefix}.weight`, transposeMatrix(p.weight, p.outFeatures, p.inFeatures), [
    p.inFeatures,
    p.outFeatures,
  ]);
  const y = b.addOp('MatMul', [x, w]);
  if (!p.bias) return y;
  if (p.bias.length !== p.outFeatures)
    throw new Error(`${prefix}: bias has ${p.bias.length} values, expected ${p.outFeatures}`);
  return b.addOp('Add', [y, b.addInitializer(`${prefix}.bias`, p.bias, [p.outFeatures])]);
}

/** Returns the [cols, rows] transpose of a row-major [rows, cols] matrix. */
export function transposeMatrix(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  }
  return out;
}

/** Adds a Split with `n` outputs (the split sizes as a second input, or `num_outputs`) and returns them as a tuple. */
export function addSplit<N extends number>(
  b: GraphBuilder,
  inputs: readonly string[],
  n: N,
  attrs: NodeOptions['attrs'],
): Tuple<string, N> {
  const outputs = b.addNode('Split', inputs, { attrs, outputs: n });
  if (!hasLength(outputs, n)) throw new Error(`Split gave ${outputs.length} outputs, expected ${n}`);
  return outputs;
}

/** Adds a float32 scalar constant (rank 0) and returns its name. */
function addScalar(b: GraphBuilder, value: number, prefix = 'const'): string {
  return b.addInitializer(prefix, new Float32Array([value]), []);
}

/** Adds Relu. */
export function addRelu(b: GraphBuilder, x: string): string {
  return b.addOp('Relu', [x]);
}

/** Adds Tanh. */
function addTanh(b: GraphBuilder, x: string): string {
  return b.addOp('Tanh', [x]);
}

/** Adds elementwise `x + y` (broadcasting). */
function addAdd(b: GraphBuilder, x: string, y: string): string {
  return b.addOp('Add', [x, y]);
}

/** Adds elementwise `x * y` (broadcasting). */
function addMul(b: GraphBuilder, x: string, y: string): string {
  return b.addOp('Mul', [x, y]);
}

/** Adds `x * scale + shift` with scalar constants (skipping identity steps). */
export function addAffine(b: GraphBuilder, x: string, scale: number, shift: number): string {
  const scaled = scale === 1 ? x : addMul(b, x, addScalar(b, scale, 'scale'));
  return shift === 0 ? scaled : addAdd(b, scaled, addScalar(b, shift, 'shift'));
}

/** Adds `limit · tanh(x / limit)`: a smooth clamp to (−limit, limit). */
export function addSoftClamp(b: GraphBuilder, x: string, limit: number): string {
  return addAffine(b, addTanh(b, addAffine(b, x, 1 / limit, 0)), limit, 0);
}

/** Adds nearest-neighbour upsampling of an NCHW tensor by an integer factor (PyTorch `nn.Upsample` semantics). */
export function addUpsampleNearest(b: GraphBuilder, x: string, factor: number): string {
  // Resize's scales are float32 whatever the data type ('float' keeps them so in mixed graphs).
  const scales = b.addInitializer('upsample_scales', new Float32Array([1, 1, factor, factor]), [4], 'float');
  // asymmetric + floor maps output pixel i to input floor(i / factor), exactly as torch does.
  return b.addOp('Resize', [x, '', scales], {
    mode: 'nearest',
    coordinate_transformation_mode: 'asymmetric',
    nearest_mode: 'floor',
  });
}

/** Adds LayerNormalization over the last axis with optional affine weights (opset 17+). */
export function addLayerNorm(
  b: GraphBuilder,
  x: string,
  p: { features: number; weight?: Float32Array; bias?: Float32Array; epsilon?: number; name?: string },
): string {
  return b.inFloat32(() => addLayerNormFp32(b, x, p)); // statistics and affine in fp32 in mixed graphs
}

function addLayerNormFp32(
  b: GraphBuilder,
  x: string,
  p: { features: number; weight?: Float32Array; bias?: Float32Array; epsilon?: number; name?: string },
): string {
  const prefix = p.name ?? 'layernorm';
  const scale = b.addInitializer(`${prefix}.weight`, p.weight ?? new Float32Array(p.features).fill(1), [p.features]);
  const inputs = [x, scale];
  if (p.bias) inputs.push(b.addInitializer(`${prefix}.bias`, p.bias, [p.features]));
  return b.addOp('LayerNormalization', inputs, { axis: -1, epsilon: attrFloat(p.epsilon ?? 1e-5) });
}
