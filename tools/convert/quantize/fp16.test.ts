import { describe, expect, it } from 'vitest';
import { convertHalfToFloat32 } from '../safetensorsDtypes';
import { makeRandomFloats, makeRng } from '../testing';
import { convertFloat32ToHalf, convertFloatToHalfBits } from './fp16';

describe('convertFloatToHalfBits', () => {
  it('encodes exact values, limits and specials', () => {
    expect(convertFloatToHalfBits(1)).toBe(0x3c00);
    expect(convertFloatToHalfBits(-2)).toBe(0xc000);
    expect(convertFloatToHalfBits(65504)).toBe(0x7bff);
    expect(convertFloatToHalfBits(65520)).toBe(0x7c00); // rounds past the largest half → Inf
    expect(convertFloatToHalfBits(-Infinity)).toBe(0xfc00);
    expect(convertFloatToHalfBits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(convertFloatToHalfBits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(convertFloatToHalfBits(2 ** -26)).toBe(0x0000);
    expect(convertFloatToHalfBits(-0)).toBe(0x8000);
    expect(Number.isNaN(convertHalfToFloat32(new Uint16Array([convertFloatToHalfBits(NaN)]))[0])).toBe(true);
  });

  it('rounds to nearest, ties to even', () => {
    expect(convertFloatToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie → even (down)
    expect(convertFloatToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(convertFloatToHalfBits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // above the tie
    expect(convertFloatToHalfBits(3 * 2 ** -25)).toBe(0x0002); // subnormal tie 1.5 → 2
  });

  it('round-trips within half an fp16 ulp on random data', () => {
    const x = makeRandomFloats(makeRng(3), 10_000, 100);
    const back = convertHalfToFloat32(convertFloat32ToHalf(x));
    for (let i = 0; i < x.length; i++) {
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(x[i]!))) - 10);
      expect(Math.abs(back[i]! - x[i]!)).toBeLessThanOrEqual(ulp / 2 + 1e-12);
    }
  });
});
