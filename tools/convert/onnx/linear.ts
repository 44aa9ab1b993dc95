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
      const attrs: Record<string, number> = { K: k, N: n, bits: 4, block_size: blockSize };
      if (accuracyLevel !== undefined) attrs.accuracy_level = accuracyLevel;
      y = b.addOp('MatMulNBits', [x, packed, scales], attrs, MS_DOMAIN);
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
