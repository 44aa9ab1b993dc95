import { describe, expect, it } from 'vitest';
import { makeDerivedSource } from './derivedSource';
import { decodeFp8E4m3fn, wrapFp8Source } from './fp8';

/** An in-memory source of raw tensors. */
function makeSource(
  tensors: Record<string, { dtype: 'F8_E4M3' | 'F32' | 'BF16'; shape: number[]; bytes: Uint8Array }>,
) {
  return makeDerivedSource(
    'm.safetensors',
    {},
    Object.entries(tensors).map(([name, t]) => ({
      info: { name, dtype: t.dtype, shape: t.shape, file: 'm.safetensors', byteOffset: 0, byteLength: t.bytes.length },
      read: async () => t.bytes,
    })),
    async () => {},
  );
}
const f32 = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

describe('fp8 e4m3fn', () => {
  it('decodes normals, subnormals, the largest value and NaN', () => {
    // 0x38 = 0 0111 000 = 1; 0x3c = 1.5; 0xb8 = −1; 0x7e = 448 (largest); 0x01 = 2⁻⁹ (smallest subnormal);
    // 0x08 = 2⁻⁶ (smallest normal); 0x07 = 7·2⁻⁹; 0x7f = NaN (e4m3fn has no infinities).
    const v = decodeFp8E4m3fn(Uint8Array.from([0x38, 0x3c, 0xb8, 0x7e, 0x01, 0x08, 0x07, 0x7f, 0x00, 0x80]));
    expect([...v.slice(0, 7)]).toEqual([1, 1.5, -1, 448, 2 ** -9, 2 ** -6, 7 * 2 ** -9]);
    expect(v[7]).toBeNaN();
    expect(Object.is(v[9], -0)).toBe(true);
  });

  it("applies ComfyUI's scale_weight and hides the scale tensors and the scaled_fp8 marker", async () => {
    const src = await wrapFp8Source(
      makeSource({
        'a.weight': { dtype: 'F8_E4M3', shape: [2], bytes: Uint8Array.from([0x38, 0xbc]) },
        'a.scale_weight': { dtype: 'F32', shape: [], bytes: f32(0.25) },
        'a.scale_input': { dtype: 'F32', shape: [], bytes: f32(3) },
        'b.weight': { dtype: 'F8_E4M3', shape: [1], bytes: Uint8Array.from([0x40]) },
        'a.bias': { dtype: 'F32', shape: [2], bytes: f32(5, 6) },
        scaled_fp8: { dtype: 'F8_E4M3', shape: [0], bytes: new Uint8Array(0) },
      }),
    );
    expect(src.listTensors().map((t) => [t.name, t.dtype])).toEqual([
      ['a.weight', 'F32'],
      ['b.weight', 'F32'],
      ['a.bias', 'F32'],
    ]);
    expect([...(await src.readFloat32('a.weight'))]).toEqual([0.25, -0.375]);
    expect([...(await src.readFloat32('b.weight'))]).toEqual([2]); // unscaled fp8
    expect([...(await src.readFloat32('a.bias'))]).toEqual([5, 6]);
  });

  it('leaves a source without fp8 alone and refuses a scale without its fp8 weight', async () => {
    const plain = makeSource({ 'a.weight': { dtype: 'F32', shape: [1], bytes: f32(1) } });
    expect(await wrapFp8Source(plain)).toBe(plain);
    const bad = makeSource({
      'a.weight': { dtype: 'BF16', shape: [1], bytes: new Uint8Array(2) },
      'a.scale_weight': { dtype: 'F32', shape: [], bytes: f32(2) },
    });
    await expect(wrapFp8Source(bad)).rejects.toThrow(
      /m\.safetensors: 'a\.scale_weight' scales 'a\.weight', which is not an fp8/,
    );
  });
});
