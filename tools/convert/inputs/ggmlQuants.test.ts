import { describe, expect, it } from 'vitest';
import { makeRandomFloats, makeRng } from '../testing';
import { dequantizeGgml, getScaleMinK4, GGML_TYPE } from './ggmlQuants';
import { getQuantizerErrorBound, quantizeGgml } from './ggmlQuantize';

/** Half-precision bit patterns of the block multipliers used below. */
const HALF = { quarter: 0x3400, half: 0x3800, one: 0x3c00, two: 0x4000 };
const le16 = (bits: number) => [bits & 0xff, bits >> 8];

/**
 * Eight 6-bit scales [1, 2, 3, 4, 17, 33, 50, 63] and mins [0, 5, 10, 63, 16, 31, 47, 62] packed by hand:
 * bytes 0–3 scale j (low 6) + scale j+4's top 2 bits; 4–7 min j + min j+4's top 2 bits; 8–11 the low
 * nibbles of scale j+4 and min j+4.
 */
const K_SCALES = [65, 130, 195, 196, 64, 69, 138, 255, 1, 241, 242, 239];
const K_SC = [1, 2, 3, 4, 17, 33, 50, 63];
const K_MIN = [0, 5, 10, 63, 16, 31, 47, 62];

describe('ggml dequantisers on hand-built blocks', () => {
  it('Q8_0: x = d·q with int8 q', () => {
    const block = Uint8Array.from([...le16(HALF.half), ...Array.from({ length: 32 }, (_, j) => (j - 16) & 0xff)]);
    expect([...dequantizeGgml(GGML_TYPE.Q8_0, block, 32)]).toEqual(
      Array.from({ length: 32 }, (_, j) => 0.5 * (j - 16)),
    );
  });

  it('Q4_0: low nibbles are values 0–15, high nibbles 16–31, x = d·(q − 8)', () => {
    const block = Uint8Array.from([...le16(HALF.two), ...Array.from({ length: 16 }, (_, j) => j | ((15 - j) << 4))]);
    const expected = [
      ...Array.from({ length: 16 }, (_, j) => 2 * (j - 8)),
      ...Array.from({ length: 16 }, (_, j) => 2 * (7 - j)),
    ];
    expect([...dequantizeGgml(GGML_TYPE.Q4_0, block, 32)]).toEqual(expected);
  });

  it('unpacks the 6-bit K-quant scales and mins, top bits included', () => {
    const b = Uint8Array.from(K_SCALES);
    expect(Array.from({ length: 8 }, (_, j) => getScaleMinK4(b, 0, j))).toEqual(K_SC.map((s, j) => [s, K_MIN[j]]));
  });

  // qs byte i holds (i mod 16) in its low nibble and 15 − (i mod 16) in its high nibble. Each 64-value chunk c
  // reads bytes 32c…32c+31: values 0–31 of the chunk are the low nibbles (sub-block 2c), 32–63 the high (2c+1).
  const qs = Array.from({ length: 128 }, (_, i) => (i % 16) | ((15 - (i % 16)) << 4));
  const kQuant = (v: number) => ((v & 63) < 32 ? (v & 63) % 16 : 15 - (((v & 63) - 32) % 16));
  const kSub = (v: number) => 2 * (v >> 6) + ((v & 63) < 32 ? 0 : 1);

  it('Q4_K: x = d·scale·q − dmin·min per 32 values', () => {
    const block = Uint8Array.from([...le16(HALF.one), ...le16(HALF.half), ...K_SCALES, ...qs]);
    const expected = Array.from({ length: 256 }, (_, v) => K_SC[kSub(v)]! * kQuant(v) - 0.5 * K_MIN[kSub(v)]!);
    expect([...dequantizeGgml(GGML_TYPE.Q4_K, block, 256)]).toEqual(expected);
  });

  it("Q5_K: as Q4_K plus 16 when the value's bit in qh is set (bit 2c for the low half of chunk c, 2c+1 the high)", () => {
    // qh[l] = 0b01010101 for even l: the fifth bit is set for the low-nibble values of every chunk at even l.
    const qh = Array.from({ length: 32 }, (_, l) => (l % 2 === 0 ? 0x55 : 0));
    const block = Uint8Array.from([...le16(HALF.one), ...le16(HALF.half), ...K_SCALES, ...qh, ...qs]);
    const expected = Array.from({ length: 256 }, (_, v) => {
      const l = (v & 63) % 32;
      const fifth = (v & 63) < 32 && l % 2 === 0 ? 16 : 0;
      return K_SC[kSub(v)]! * (kQuant(v) + fifth) - 0.5 * K_MIN[kSub(v)]!;
    });
    expect([...dequantizeGgml(GGML_TYPE.Q5_K, block, 256)]).toEqual(expected);
  });

  it('Q6_K: x = d·scale·(q − 32) with q from a nibble of ql and two bits of qh', () => {
    // Every ql byte 0x21 (low nibble 1, high 2) and qh byte 0b11100100 (fields 0, 1, 2, 3): in each
    // 128-value half the four 32-value quarters get q = 1, 1+16, 2+32, 2+48, i.e. q − 32 = −31, −15, 2, 18.
    const scales = Array.from({ length: 16 }, (_, i) => (i - 4) & 0xff);
    const block = Uint8Array.from([
      ...Array(128).fill(0x21),
      ...Array(64).fill(0b11100100),
      ...scales,
      ...le16(HALF.quarter),
    ]);
    const expected = Array.from({ length: 256 }, (_, v) => 0.25 * ((v >> 4) - 4) * [-31, -15, 2, 18][(v >> 5) & 3]!);
    expect([...dequantizeGgml(GGML_TYPE.Q6_K, block, 256)]).toEqual(expected);
  });

  it('refuses a length that is not whole blocks', () => {
    expect(() => dequantizeGgml(GGML_TYPE.Q8_0, new Uint8Array(33), 32)).toThrow(
      /Q8_0: 33 bytes do not hold 32 values/,
    );
    expect(() => dequantizeGgml(3, new Uint8Array(20), 32)).toThrow(/ggml type 3 is not a supported/);
  });
});

describe('the reference quantiser', () => {
  it.each(['Q8_0', 'Q4_0', 'Q4_K', 'Q5_K', 'Q6_K'] as const)('%s round trip stays within half a step', (name) => {
    const type = GGML_TYPE[name];
    const rng = makeRng(7);
    const x = makeRandomFloats(rng, 1024, 0.05);
    for (let i = 0; i < 256; i++) x[i]! *= i < 128 ? 0.01 : 1; // sub-blocks of very different ranges
    x[300] = 0.4; // one outlier
    const y = dequantizeGgml(type, quantizeGgml(type, x), x.length);
    let worst = 0;
    for (let i = 0; i < x.length; i++)
      worst = Math.max(worst, Math.abs(y[i]! - x[i]!) / getQuantizerErrorBound(type, x, i));
    expect(worst).toBeLessThanOrEqual(1);
    expect(worst).toBeGreaterThan(0.3); // the bound is not vacuous
  });
});
