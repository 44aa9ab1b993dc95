/**
 * @file A simple reference quantiser for ggml's Q8_0, Q4_0, Q4_K, Q5_K and Q6_K blocks, for the tests'
 * GGUF writer (ggml's own quantisers search for better scales; any valid block is fine for a test).
 * Scales are rounded up, never down, so no value is clipped: each value ends within half its block's
 * step of the original, which is the bound the tests assert.
 */
import { convertHalfToFloat32 } from '../safetensorsDtypes';
import { convertFloatToHalfBits } from '../quantize/fp16';
import { GGML_BLOCKS, GGML_TYPE } from './ggmlQuants';

const f = Math.fround;

/** The smallest half ≥ v ≥ 0: its bits and value. */
function roundHalfUp(v: number): { bits: number; value: number } {
  let bits = convertFloatToHalfBits(v);
  const value = (b: number) => convertHalfToFloat32(new Uint16Array([b]))[0]!;
  if (value(bits) < v) bits += 1;
  return { bits, value: value(bits) };
}

function putHalf(out: Uint8Array, o: number, bits: number): void {
  out[o] = bits & 0xff;
  out[o + 1] = bits >> 8;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const range = (x: Float32Array, from: number, n: number) => {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < from + n; i++) [lo, hi] = [Math.min(lo, x[i]!), Math.max(hi, x[i]!)];
  return { lo, hi, amax: Math.max(-lo, hi) };
};

/**
 * Quantises `x` (a whole number of blocks) to ggml type `type`.
 * @throws Error for a type this quantiser does not write or a length that is not whole blocks.
 */
export function quantizeGgml(type: number, x: Float32Array): Uint8Array {
  const block = GGML_BLOCKS[type];
  if (!block || x.length % block.values !== 0) throw new Error(`cannot quantise ${x.length} values to type ${type}`);
  const out = new Uint8Array((x.length / block.values) * block.bytes);
  const write = {
    [GGML_TYPE.Q8_0]: writeQ8_0,
    [GGML_TYPE.Q4_0]: writeQ4_0,
    [GGML_TYPE.Q4_K]: (xs: Float32Array, at: number, o: Uint8Array, p: number) => writeKWithMins(xs, at, o, p, 15),
    [GGML_TYPE.Q5_K]: (xs: Float32Array, at: number, o: Uint8Array, p: number) => writeKWithMins(xs, at, o, p, 31),
    [GGML_TYPE.Q6_K]: writeQ6_K,
  }[type]!;
  for (let i = 0, p = 0; i < x.length; i += block.values, p += block.bytes) write(x, i, out, p);
  return out;
}

function writeQ8_0(x: Float32Array, at: number, out: Uint8Array, o: number): void {
  const d = roundHalfUp(range(x, at, 32).amax / 127);
  putHalf(out, o, d.bits);
  for (let j = 0; j < 32; j++) out[o + 2 + j] = d.value ? clamp(Math.round(x[at + j]! / d.value), -127, 127) & 0xff : 0;
}

function writeQ4_0(x: Float32Array, at: number, out: Uint8Array, o: number): void {
  const d = roundHalfUp(range(x, at, 32).amax / 7);
  putHalf(out, o, d.bits);
  const q = (j: number) => (d.value ? clamp(Math.round(x[at + j]! / d.value), -7, 7) : 0) + 8;
  for (let j = 0; j < 16; j++) out[o + 2 + j] = q(j) | (q(j + 16) << 4);
}

/** Q4_K (levels 15) and Q5_K (levels 31): per 32 values a 6-bit min and scale, per 256 their f16 multipliers. */
function writeKWithMins(x: Float32Array, at: number, out: Uint8Array, o: number, levels: number): void {
  const subs = Array.from({ length: 8 }, (_, i) => range(x, at + 32 * i, 32));
  const dmin = roundHalfUp(Math.max(...subs.map((s) => Math.max(0, -s.lo))) / 63);
  const mq = subs.map((s) => (dmin.value ? Math.ceil(Math.max(0, -s.lo) / dmin.value) : 0));
  const offsets = mq.map((m) => f(dmin.value * m));
  const needed = subs.map((s, i) => Math.max(0, s.hi + offsets[i]!) / levels);
  const d = roundHalfUp(Math.max(...needed) / 63);
  const sc = needed.map((n) => (d.value ? clamp(Math.ceil(n / d.value), 0, 63) : 0));
  putHalf(out, o, d.bits);
  putHalf(out, o + 2, dmin.bits);
  for (let j = 0; j < 4; j++) {
    out[o + 4 + j] = (sc[j]! & 63) | ((sc[j + 4]! >> 4) << 6);
    out[o + 8 + j] = (mq[j]! & 63) | ((mq[j + 4]! >> 4) << 6);
    out[o + 12 + j] = (sc[j + 4]! & 0xf) | ((mq[j + 4]! & 0xf) << 4);
  }
  const q = (i: number) => {
    const s = i >> 5;
    const step = f(d.value * sc[s]!);
    return step ? clamp(Math.round((x[at + i]! + offsets[s]!) / step), 0, levels) : 0;
  };
  const qh = levels === 31 ? o + 16 : -1;
  const qs = o + 16 + (levels === 31 ? 32 : 0);
  for (let c = 0; c < 4; c++) {
    for (let l = 0; l < 32; l++) {
      const lo = q(64 * c + l);
      const hi = q(64 * c + 32 + l);
      out[qs + 32 * c + l] = (lo & 0xf) | ((hi & 0xf) << 4);
      if (qh >= 0) out[qh + l]! |= ((lo >> 4) << (2 * c)) | ((hi >> 4) << (2 * c + 1));
    }
  }
}

/** Q6_K: per 16 values an int8 scale, per 256 an f16 multiplier; values in [−31, 31] (−32 unused). */
function writeQ6_K(x: Float32Array, at: number, out: Uint8Array, o: number): void {
  const needed = Array.from({ length: 16 }, (_, i) => range(x, at + 16 * i, 16).amax / 31);
  const d = roundHalfUp(Math.max(...needed) / 127);
  const sc = needed.map((n) => (d.value ? clamp(Math.ceil(n / d.value), 0, 127) : 0));
  const q = (i: number) => {
    const step = f(d.value * sc[i >> 4]!);
    return (step ? clamp(Math.round(x[at + i]! / step), -32, 31) : 0) + 32;
  };
  for (let h = 0; h < 2; h++) {
    for (let l = 0; l < 32; l++) {
      const [q0, q1, q2, q3] = [0, 1, 2, 3].map((k) => q(128 * h + 32 * k + l)) as [number, number, number, number];
      out[o + 64 * h + l] = (q0 & 0xf) | ((q2 & 0xf) << 4);
      out[o + 64 * h + l + 32] = (q1 & 0xf) | ((q3 & 0xf) << 4);
      out[o + 128 + 32 * h + l] = (q0 >> 4) | ((q1 >> 4) << 2) | ((q2 >> 4) << 4) | ((q3 >> 4) << 6);
    }
  }
  for (let i = 0; i < 16; i++) out[o + 192 + i] = sc[i]!;
  putHalf(out, o + 208, d.bits);
}

/**
 * This quantiser's error bound for value `i` of `x`: half the step of its block. With the writer's rounded-up scales a
 * step is at most (Q8_0) amax/127, (Q4_0) amax/7, (Q4_K/Q5_K, L = 15/31) (range_32 + range_256/31)/L,
 * (Q6_K) (amax_16 + amax_256/127)/31 — each × (1 + 2⁻⁹) for the f16 rounding of the multipliers.
 */
export function getQuantizerErrorBound(type: number, x: Float32Array, i: number): number {
  const stats = (size: number) => {
    const from = i - (i % size);
    let lo = 0;
    let hi = 0;
    for (let j = from; j < from + size; j++) [lo, hi] = [Math.min(lo, x[j]!), Math.max(hi, x[j]!)];
    return { range: hi - lo, amax: Math.max(-lo, hi) };
  };
  const step = {
    [GGML_TYPE.Q8_0]: () => stats(32).amax / 127,
    [GGML_TYPE.Q4_0]: () => stats(32).amax / 7,
    [GGML_TYPE.Q4_K]: () => (stats(32).range + stats(256).range / 31) / 15,
    [GGML_TYPE.Q5_K]: () => (stats(32).range + stats(256).range / 31) / 31,
    [GGML_TYPE.Q6_K]: () => (stats(16).amax + stats(256).amax / 127) / 31,
  }[type]!();
  return (step / 2) * (1 + 2 ** -9) + 2 ** -24;
}
