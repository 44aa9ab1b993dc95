/**
 * @file Blockwise symmetric 4-bit weight quantization in the layout of ORT's com.microsoft
 * MatMulNBits (bits 4, default zero point 8). Pure TypeScript.
 *
 * Layout (ORT ContribOperators.md, MatMulNBits): for a PyTorch [N, K] weight (N outputs, K inputs),
 * B is uint8 [N, kBlocks, blockSize / 2] where each block's codes run along K and two codes share a
 * byte, the even-indexed one in the low nibble; scales are float [N · kBlocks] (row n, block j at
 * n · kBlocks + j). K is padded with zeros up to kBlocks · blockSize. No zero-point input is
 * written, so ORT uses 2^(bits−1) = 8: w ≈ (code − 8) · scale.
 */

/** The zero point MatMulNBits assumes when the zero_points input is omitted (4 bits). */
export const INT4_ZERO_POINT = 8;

/** Largest |code − zero point| used: ±7 keeps the grid symmetric, so |w − deq(w)| ≤ scale / 2. */
export const INT4_MAX_LEVEL = 7;

/** A quantized [n, k] weight in MatMulNBits layout. */
export interface Int4Weight {
  /** uint8 [n, kBlocks, blockSize / 2], low nibble first. */
  packed: Uint8Array;
  /** float32 [n · kBlocks]. */
  scales: Float32Array;
  n: number;
  k: number;
  blockSize: number;
  kBlocks: number;
}

/**
 * Quantizes a row-major [n, k] weight block by block along k: scale = max|w| / 7 per block,
 * code = clamp(round(w / scale), −7, 7) + 8. Every value then satisfies |w − deq(w)| ≤ scale / 2
 * (up to float32 rounding of the scale).
 * @throws RangeError for a block size that is not a power of two ≥ 16, or a size mismatch.
 */
export function quantizeInt4(weight: Float32Array, n: number, k: number, blockSize: number): Int4Weight {
  if (!Number.isInteger(blockSize) || blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) {
    throw new RangeError(`int4 block size must be a power of two ≥ 16, got ${blockSize}`);
  }
  if (weight.length !== n * k) throw new RangeError(`int4: weight has ${weight.length} values, expected ${n}×${k}`);
  const kBlocks = Math.ceil(k / blockSize);
  const blob = blockSize / 2;
  const packed = new Uint8Array(n * kBlocks * blob);
  const scales = new Float32Array(n * kBlocks);
  const codes = new Uint8Array(blockSize);
  for (let row = 0; row < n; row++) {
    const rowStart = row * k;
    for (let blk = 0; blk < kBlocks; blk++) {
      const start = blk * blockSize;
      const end = Math.min(k, start + blockSize);
      let amax = 0;
      for (let i = start; i < end; i++) amax = Math.max(amax, Math.abs(weight[rowStart + i]!));
      const scale = Math.fround(amax / INT4_MAX_LEVEL);
      scales[row * kBlocks + blk] = scale;
      // Divide by the stored (rounded) scale so codes match what ORT multiplies back.
      const inv = scale === 0 ? 0 : 1 / scale;
      codes.fill(INT4_ZERO_POINT);
      for (let i = start; i < end; i++) {
        const level = Math.max(-INT4_MAX_LEVEL, Math.min(INT4_MAX_LEVEL, Math.round(weight[rowStart + i]! * inv)));
        codes[i - start] = level + INT4_ZERO_POINT;
      }
      const out = (row * kBlocks + blk) * blob;
      for (let i = 0; i < blob; i++) packed[out + i] = codes[2 * i]! | (codes[2 * i + 1]! << 4);
    }
  }
  return { packed, scales, n, k, blockSize, kBlocks };
}

/** Returns the row-major [n, k] float32 weight MatMulNBits computes with: (code − 8) · scale. */
export function dequantizeInt4(q: Int4Weight): Float32Array {
  const out = new Float32Array(q.n * q.k);
  const blob = q.blockSize / 2;
  for (let row = 0; row < q.n; row++) {
    for (let i = 0; i < q.k; i++) {
      const blk = Math.floor(i / q.blockSize);
      const byte = q.packed[(row * q.kBlocks + blk) * blob + ((i % q.blockSize) >> 1)]!;
      const code = i % 2 === 0 ? byte & 0x0f : byte >> 4;
      out[row * q.k + i] = (code - INT4_ZERO_POINT) * q.scales[row * q.kBlocks + blk]!;
    }
  }
  return out;
}
