/**
 * @file fp8 e4m3fn weights (FLUX, T5 "fp8_e4m3fn" files) and ComfyUI's per-tensor `scale_weight`: a
 * TensorSource that shows every F8_E4M3 tensor as float32, multiplied by its scale when the file has one.
 * Pure TypeScript (no fs): it wraps any TensorSource.
 */
import type { TensorInfo, TensorSource } from '../safetensors';
import { makeDerivedSource, type DerivedTensor } from './derivedSource';

/** Suffix ComfyUI gives the float32 scale of `<name>.weight` in `_scaled` fp8 files. */
const SCALE_SUFFIX = '.scale_weight';
/** ComfyUI's other fp8 bookkeeping: an empty marker tensor and input scales for fp8 matmuls (weights need neither). */
const IGNORED_MARKER = 'scaled_fp8';
const INPUT_SCALE_SUFFIX = '.scale_input';

let table: Float32Array | undefined;

/** The 256 values of e4m3fn: 1 sign, 4 exponent bits (bias 7), 3 mantissa bits, no infinities, 0x7f/0xff NaN. */
function getFp8Table(): Float32Array {
  if (table) return table;
  table = new Float32Array(256);
  for (let b = 0; b < 256; b++) {
    const sign = b & 0x80 ? -1 : 1;
    const exp = (b >> 3) & 0xf;
    const man = b & 7;
    if (exp === 15 && man === 7) table[b] = NaN;
    else if (exp === 0)
      table[b] = sign * man * 2 ** -9; // subnormal: man/8 · 2^(1−7)
    else table[b] = sign * (1 + man / 8) * 2 ** (exp - 7);
  }
  return table;
}

/** Decodes e4m3fn bytes; every value is exact in float32. */
export function decodeFp8E4m3fn(bytes: Uint8Array, scale = 1): Float32Array {
  const t = getFp8Table();
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = t[bytes[i]!]! * scale; // one float32 rounding when scaled
  return out;
}

/**
 * Returns `src` itself when it holds no fp8 tensor and no scale, else a source where each F8_E4M3 tensor
 * reads as float32 (× `<name>.scale_weight` for `<name>.weight`) and ComfyUI's scale tensors are hidden.
 * @throws Error naming the file when a scale has no fp8 weight or is not a single float.
 */
export async function wrapFp8Source(src: TensorSource): Promise<TensorSource> {
  const all = src.listTensors();
  const scaled = all.filter((t) => t.name.endsWith(SCALE_SUFFIX));
  if (!all.some((t) => t.dtype === 'F8_E4M3') && scaled.length === 0) return src;
  const scales = new Map<string, number>();
  for (const t of scaled) {
    const weight = t.name.slice(0, -SCALE_SUFFIX.length) + '.weight';
    const values = await src.readFloat32(t.name);
    if (values.length !== 1)
      throw new Error(`${src.path}: '${t.name}' has ${values.length} values, expected one scale`);
    if (!src.hasTensor(weight) || src.getTensorInfo(weight).dtype !== 'F8_E4M3')
      throw new Error(`${src.path}: '${t.name}' scales '${weight}', which is not an fp8 e4m3fn tensor`);
    scales.set(weight, values[0]!);
  }
  const hidden = (name: string) =>
    name === IGNORED_MARKER || name.endsWith(SCALE_SUFFIX) || name.endsWith(INPUT_SCALE_SUFFIX);
  const tensors: DerivedTensor[] = all
    .filter((t) => !hidden(t.name))
    .map((t) => (t.dtype === 'F8_E4M3' ? decoded(src, t, scales.get(t.name) ?? 1) : passThrough(src, t)));
  return makeDerivedSource(src.path, src.metadata, tensors, () => src.close());
}

function decoded(src: TensorSource, t: TensorInfo, scale: number): DerivedTensor {
  return {
    info: { ...t, dtype: 'F32' },
    read: async () => {
      const f = decodeFp8E4m3fn(await src.readBytes(t.name), scale);
      return new Uint8Array(f.buffer);
    },
  };
}

/** A tensor read as it is stored. */
export function passThrough(src: TensorSource, t: TensorInfo): DerivedTensor {
  return { info: t, read: () => src.readBytes(t.name) };
}
