/**
 * @file safetensors dtypes: sizes and conversions of little-endian tensor bytes to Float32Array /
 * Int32Array. Pure TypeScript.
 */

/** Bytes per element of every dtype the safetensors format defines. */
export const DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;

/** A safetensors dtype name. */
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

/** Returns true when `s` is a dtype name this reader knows. */
export function isSafetensorsDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === 'string' && Object.hasOwn(DTYPE_BYTES, s);
}

/**
 * Converts little-endian tensor bytes to float32.
 * The result may share memory with `bytes` (F32 input is viewed, not copied).
 * @throws Error for dtypes with no natural float reading (U16, U32, U64, FP8).
 */
export function convertToFloat32(bytes: Uint8Array, dtype: SafetensorsDtype, label: string): Float32Array {
  const n = bytes.byteLength / DTYPE_BYTES[dtype];
  const { buffer, byteOffset } = alignBytes(bytes, DTYPE_BYTES[dtype]);
  assertLittleEndianHost();
  switch (dtype) {
    case 'F32':
      return new Float32Array(buffer, byteOffset, n);
    case 'BF16': {
      // bf16 is the top half of an f32: shift the bits into place.
      const src = new Uint16Array(buffer, byteOffset, n);
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i]! << 16;
      return new Float32Array(out.buffer);
    }
    case 'F16':
      return convertHalfToFloat32(new Uint16Array(buffer, byteOffset, n));
    case 'F64':
      return Float32Array.from(new Float64Array(buffer, byteOffset, n));
    case 'I32':
      return Float32Array.from(new Int32Array(buffer, byteOffset, n));
    case 'I64':
      return Float32Array.from(new BigInt64Array(buffer, byteOffset, n), Number);
    case 'I16':
      return Float32Array.from(new Int16Array(buffer, byteOffset, n));
    case 'I8':
      return Float32Array.from(new Int8Array(buffer, byteOffset, n));
    case 'U8':
    case 'BOOL':
      return Float32Array.from(new Uint8Array(buffer, byteOffset, n));
    default:
      throw new Error(`${label}: cannot read dtype ${dtype} as float32`);
  }
}

/**
 * Converts little-endian integer tensor bytes to int32; may share memory with `bytes` (I32 input).
 * @throws Error for float dtypes, or I64 values outside the int32 range.
 */
export function convertToInt32(bytes: Uint8Array, dtype: SafetensorsDtype, label: string): Int32Array {
  const n = bytes.byteLength / DTYPE_BYTES[dtype];
  const { buffer, byteOffset } = alignBytes(bytes, DTYPE_BYTES[dtype]);
  assertLittleEndianHost();
  switch (dtype) {
    case 'I32':
      return new Int32Array(buffer, byteOffset, n);
    case 'I64': {
      const src = new BigInt64Array(buffer, byteOffset, n);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        if (v > 2147483647n || v < -2147483648n) throw new Error(`${label}: I64 value ${v} at ${i} does not fit int32`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'I16':
      return Int32Array.from(new Int16Array(buffer, byteOffset, n));
    case 'I8':
      return Int32Array.from(new Int8Array(buffer, byteOffset, n));
    case 'U8':
    case 'BOOL':
      return Int32Array.from(new Uint8Array(buffer, byteOffset, n));
    default:
      throw new Error(`${label}: cannot read dtype ${dtype} as int32`);
  }
}

/** Converts IEEE 754 half-precision bit patterns to float32 (subnormals, ±Inf and NaN included). */
export function convertHalfToFloat32(half: Uint16Array): Float32Array {
  const out = new Float32Array(half.length);
  for (let i = 0; i < half.length; i++) {
    const h = half[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 0x1f) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

function alignBytes(bytes: Uint8Array, elementSize: number): Uint8Array {
  // Typed-array views need element-aligned offsets; copy only when the caller's view is misaligned.
  return bytes.byteOffset % elementSize === 0 ? bytes : bytes.slice();
}

function assertLittleEndianHost(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('safetensors conversion assumes a little-endian host');
  }
}
