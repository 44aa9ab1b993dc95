/**
 * @file ggml's block formats, dequantised as the GGUF spec and ggml's reference code define them, in
 * float32 arithmetic step by step (no fused multiply-add). Written from the published block layouts:
 *   Q8_0 (34 B / 32):  f16 d, int8 q[32]                          x = d·q
 *   Q4_0 (18 B / 32):  f16 d, u8 qs[16] (low nibbles: 0–15, high: 16–31)   x = d·(q − 8)
 *   Q4_K (144 B / 256): f16 d, f16 dmin, u8 scales[12] (8 × 6-bit scale, 8 × 6-bit min), u8 qs[128]
 *   Q5_K (176 B / 256): as Q4_K, then u8 qh[32] (the fifth bits), u8 qs[128]
 *   Q6_K (210 B / 256): u8 ql[128] (low 4 bits), u8 qh[64] (high 2 bits), int8 scales[16], f16 d
 * K-quants: x = d·sc·q − dmin·m per 32-value sub-block (Q4_K, Q5_K); x = d·sc·(q − 32) per 16 (Q6_K).
 */
import { convertHalfToFloat32 } from '../safetensorsDtypes';

const f = Math.fround;

/** ggml type ids this reader knows (GGUF tensor info `type`). */
export const GGML_TYPE = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8, Q4_K: 12, Q5_K: 13, Q6_K: 14, BF16: 30 } as const;

/** The quantised types: values per block, bytes per block, the dequantiser of one block. */
export const GGML_BLOCKS: Readonly<
  Record<number, { name: string; values: number; bytes: number; decode: BlockDecoder }>
> = {
  [GGML_TYPE.Q8_0]: { name: 'Q8_0', values: 32, bytes: 34, decode: decodeQ8_0 },
  [GGML_TYPE.Q4_0]: { name: 'Q4_0', values: 32, bytes: 18, decode: decodeQ4_0 },
  [GGML_TYPE.Q4_K]: { name: 'Q4_K', values: 256, bytes: 144, decode: decodeQ4_K },
  [GGML_TYPE.Q5_K]: { name: 'Q5_K', values: 256, bytes: 176, decode: decodeQ5_K },
  [GGML_TYPE.Q6_K]: { name: 'Q6_K', values: 256, bytes: 210, decode: decodeQ6_K },
};

/** Writes one block starting at `b[o]` into `y[at…]`. */
type BlockDecoder = (b: Uint8Array, o: number, y: Float32Array, at: number) => void;

/**
 * Dequantises `count` values of ggml type `type` from `bytes` (whole blocks).
 * @throws Error for an unknown type or a byte length that is not whole blocks of `count` values.
 */
export function dequantizeGgml(type: number, bytes: Uint8Array, count: number): Float32Array {
  const block = GGML_BLOCKS[type];
  if (!block) throw new Error(`ggml type ${type} is not a supported quantisation`);
  if (count % block.values !== 0 || bytes.length !== (count / block.values) * block.bytes)
    throw new Error(`${block.name}: ${bytes.length} bytes do not hold ${count} values in whole blocks`);
  const y = new Float32Array(count);
  for (let i = 0, o = 0; i < count; i += block.values, o += block.bytes) block.decode(bytes, o, y, i);
  return y;
}

function half(b: Uint8Array, o: number): number {
  return convertHalfToFloat32(new Uint16Array([b[o]! | (b[o + 1]! << 8)]))[0]!;
}

function decodeQ8_0(b: Uint8Array, o: number, y: Float32Array, at: number): void {
  const d = half(b, o);
  for (let j = 0; j < 32; j++) y[at + j] = f(d * ((b[o + 2 + j]! << 24) >> 24));
}

function decodeQ4_0(b: Uint8Array, o: number, y: Float32Array, at: number): void {
  const d = half(b, o);
  for (let j = 0; j < 16; j++) {
    const q = b[o + 2 + j]!;
    y[at + j] = f(((q & 0xf) - 8) * d);
    y[at + j + 16] = f(((q >> 4) - 8) * d);
  }
}

/** Sub-block j's 6-bit scale and min from the 12 packed bytes at `s` (ggml's get_scale_min_k4). */
export function getScaleMinK4(b: Uint8Array, s: number, j: number): [scale: number, min: number] {
  if (j < 4) return [b[s + j]! & 63, b[s + j + 4]! & 63];
  return [(b[s + j + 4]! & 0xf) | ((b[s + j - 4]! >> 6) << 4), (b[s + j + 4]! >> 4) | ((b[s + j]! >> 6) << 4)];
}

/** Q4_K and Q5_K: four 64-value chunks, each two sub-blocks (low nibbles, then high nibbles of 32 bytes). */
function decodeKWithMins(b: Uint8Array, o: number, y: Float32Array, at: number, qh: number | null): void {
  const d = half(b, o);
  const dmin = half(b, o + 2);
  const qs = o + 16 + (qh === null ? 0 : 32);
  for (let chunk = 0; chunk < 4; chunk++) {
    const [sc1, m1] = getScaleMinK4(b, o + 4, 2 * chunk);
    const [sc2, m2] = getScaleMinK4(b, o + 4, 2 * chunk + 1);
    const d1 = f(d * sc1);
    const d2 = f(d * sc2);
    const min1 = f(dmin * m1);
    const min2 = f(dmin * m2);
    for (let l = 0; l < 32; l++) {
      const q = b[qs + 32 * chunk + l]!;
      const high = qh === null ? 0 : b[qh + l]!;
      const lo = (q & 0xf) + ((high >> (2 * chunk)) & 1) * 16;
      const hi = (q >> 4) + ((high >> (2 * chunk + 1)) & 1) * 16;
      y[at + 64 * chunk + l] = f(f(d1 * lo) - min1);
      y[at + 64 * chunk + 32 + l] = f(f(d2 * hi) - min2);
    }
  }
}

function decodeQ4_K(b: Uint8Array, o: number, y: Float32Array, at: number): void {
  decodeKWithMins(b, o, y, at, null);
}

function decodeQ5_K(b: Uint8Array, o: number, y: Float32Array, at: number): void {
  decodeKWithMins(b, o, y, at, o + 16);
}

/** Q6_K: two 128-value halves; each value's 6 bits are a nibble of ql and a 2-bit field of qh. */
function decodeQ6_K(b: Uint8Array, o: number, y: Float32Array, at: number): void {
  const d = half(b, o + 208);
  for (let h = 0; h < 2; h++) {
    const ql = o + 64 * h;
    const qh = o + 128 + 32 * h;
    const sc = o + 192 + 8 * h;
    for (let l = 0; l < 32; l++) {
      const is = l >> 4;
      const high = b[qh + l]!;
      const q = [
        (b[ql + l]! & 0xf) | ((high & 3) << 4),
        (b[ql + l + 32]! & 0xf) | (((high >> 2) & 3) << 4),
        (b[ql + l]! >> 4) | (((high >> 4) & 3) << 4),
        (b[ql + l + 32]! >> 4) | (((high >> 6) & 3) << 4),
      ];
      for (let k = 0; k < 4; k++) {
        const scale = (b[sc + is + 2 * k]! << 24) >> 24;
        y[at + 128 * h + 32 * k + l] = f(f(d * scale) * (q[k]! - 32));
      }
    }
  }
}
