/**
 * @file A Linear layer whose weight storage follows the converter's WeightFormat: fp32 MatMul,
 * fp16 weights cast up to float, or int4 com.microsoft MatMulNBits. In an fp32 graph activations
 * and biases stay float32; in a mixed-precision graph they take the builder's scope type.
 */
import type { AccuracyLevel, WeightFormat } from '../graphs/types';
import { convertFloat32ToHalf } from '../quantize/fp16';
import { quantizeInt4 } from '../quantize/int4';
import { MS_DOMAIN, type GraphBuilder } from './GraphBuilder';
import { addLinear, transposeMatrix } from './layers';

/** A Linear layer's parameters in PyTorch layout. */
export interface LinearWeights {
  /** [outFeatures, inFeatures], as nn.Linear stores it. */
  weight: Float32Array;
  bias?: Float32Array;
  inFeatures: number;
  outFeatures: number;
  /** Initializer-name prefix, e.g. the checkpoint key without `.weight`. */
  name: string;
}

/** Rows `start` … `start + count − 1` of a weight (along its first axis) as float32. */
export type RowReader = (start: number, count: number) => Promise<Float32Array>;

/** Float32 values read and quantized at a time when an int4 weight streams (16 MiB). */
const SLAB_VALUES = 4 * 1024 * 1024;

/**
 * Quantizes an [n, k] weight to int4 a slab of rows at a time (quantizeInt4 works row by row, so the result is
 * bit-identical to quantizing it whole) and streams the packed codes into the graph's data, so no more than a
 * slab of float32 exists at once (FLUX's largest Linear is 264 MB as float32, T5-XXL's embedding 526 MB).
 * @returns the names of the packed codes (`packedDims`) and of the scales (`scalesDims`, n × ⌈k / blockSize⌉).
 */
export async function addInt4Rows(
  b: GraphBuilder,
  readRows: RowReader,
  shape: { n: number; k: number; blockSize: number },
  packed: { prefix: string; dims: readonly number[] },
  scales: { prefix: string; dims: readonly number[] },
): Promise<{ packed: string; scales: string }> {
  const { n, k, blockSize } = shape;
  const kBlocks = Math.ceil(k / blockSize);
  const allScales = new Float32Array(n * kBlocks);
  const codes = b.startInitializer(packed.prefix, packed.dims, 'uint8');
  const slabRows = Math.max(1, Math.floor(SLAB_VALUES / k));
  for (let start = 0; start < n; start += slabRows) {
    const count = Math.min(slabRows, n - start);
    const q = quantizeInt4(await readRows(start, count), count, k, blockSize);
    codes.write(q.packed);
    allScales.set(q.scales, start * kBlocks);
  }
  const packedName = codes.finish();
  return { packed: packedName, scales: b.addInitializer(scales.prefix, allScales, scales.dims) };
}

/**
 * {@link addLinearWeights} with the weight read through `readRows`: int4 streams it ({@link addInt4Rows}), the
 * other formats read it whole. The graph and its data are bit-identical to addLinearWeights'.
 */
export async function addLinearFromRows(
  b: GraphBuilder,
  x: string,
  p: Omit<LinearWeights, 'weight'> & { readRows: RowReader },
  format: WeightFormat,
  blockSize: number,
  accuracyLevel?: AccuracyLevel,
): Promise<string> {
  const { inFeatures: k, outFeatures: n, name } = p;
  if (format !== 'int4') {
    const weight = await p.readRows(0, n);
    return addLinearWeights(b, x, { ...p, weight }, format, blockSize, accuracyLevel);
  }
  if (p.bias && p.bias.length !== n) throw new Error(`${name}: bias has ${p.bias.length} values, expected ${n}`);
  const kBlocks = Math.ceil(k / blockSize);
  const q = await addInt4Rows(
    b,
    p.readRows,
    { n, k, blockSize },
    { prefix: `${name}.weight_q4`, dims: [n, kBlocks, blockSize / 2] },
    { prefix: `${name}.weight_scales`, dims: [n * kBlocks] },
  );
  const y = addMatMulNBits(b, x, q, { k, n, blockSize, accuracyLevel });
  return p.bias ? b.addOp('Add', [y, b.addInitializer(`${name}.bias`, p.bias, [n])]) : y;
}

/** com.microsoft MatMulNBits over int4 codes and scales (default zero point 8). */
function addMatMulNBits(
  b: GraphBuilder,
  x: string,
  q: { packed: string; scales: string },
  o: { k: number; n: number; blockSize: number; accuracyLevel?: AccuracyLevel },
): string {
  const attrs: Record<string, number> = { K: o.k, N: o.n, bits: 4, block_size: o.blockSize };
  if (o.accuracyLevel !== undefined) attrs.accuracy_level = o.accuracyLevel;
  return b.addOp('MatMulNBits', [x, q.packed, q.scales], attrs, MS_DOMAIN);
}

/** ONNX TensorProto data type of float32, for Cast's `to`. */
const ONNX_FLOAT = 1;

/**
 * Adds `x @ W^T + b` for x [..., inFeatures] and returns the output name.
 * - fp32: MatMul with the weight stored transposed [in, out], then Add.
 * - fp16: the transposed weight stored as float16 and Cast to float before MatMul (halves the file;
 *   on WebGPU the Cast needs the `shader-f16` feature unless ORT folds it at load).
 * - int4: MatMulNBits (bits 4, `blockSize`, default zero point 8, `accuracyLevel` when given), then Add.
 * @throws Error when the weight or bias size does not match the feature counts.
 */
export function addLinearWeights(
  b: GraphBuilder,
  x: string,
  p: LinearWeights,
  format: WeightFormat,
  blockSize: number,
  accuracyLevel?: AccuracyLevel,
): string {
  const { inFeatures: k, outFeatures: n, name } = p;
  if (p.weight.length !== k * n) throw new Error(`${name}: weight has ${p.weight.length} values, expected ${n}×${k}`);
  if (p.bias && p.bias.length !== n) throw new Error(`${name}: bias has ${p.bias.length} values, expected ${n}`);
  let y: string;
  switch (format) {
    case 'fp32':
      return addLinear(b, x, p);
    case 'fp16': {
      // Mixed graphs store the weight in the op's own type (fp16, or fp32 in an fp32 island): no Cast to fold.
      if (b.mixed) return addLinear(b, x, p);
      const half = convertFloat32ToHalf(transposeMatrix(p.weight, n, k));
      const w = b.addInitializer(`${name}.weight`, half, [k, n], 'float16');
      y = b.addOp('MatMul', [x, b.addOp('Cast', [w], { to: ONNX_FLOAT })]);
      break;
    }
    case 'int4': {
      const q = quantizeInt4(p.weight, n, k, blockSize);
      const packed = b.addInitializer(`${name}.weight_q4`, q.packed, [n, q.kBlocks, blockSize / 2], 'uint8');
      const scales = b.addInitializer(`${name}.weight_scales`, q.scales, [n * q.kBlocks]);
      y = addMatMulNBits(b, x, { packed, scales }, { k, n, blockSize, accuracyLevel });
      break;
    }
    default:
      return assertNever(format);
  }
  if (!p.bias) return y;
  return b.addOp('Add', [y, b.addInitializer(`${name}.bias`, p.bias, [n])]);
}

function assertNever(x: never): never {
  throw new Error(`unknown weight format ${String(x)}`);
}
