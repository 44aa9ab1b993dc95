/**
 * @file Maps a checkpoint with another naming onto the official one: each official tensor is one source
 * tensor (renamed, maybe reshaped), the rows of several stacked in order (diffusers' split q/k/v), or one
 * with its two row halves swapped (diffusers' scale/shift order). Bytes are moved, never converted, when
 * the parts share a dtype — so a lossless input stays bit-identical. Pure TypeScript.
 */
import type { TensorInfo, TensorSource } from '../safetensors';
import { makeDerivedSource, type DerivedTensor } from './derivedSource';

/** How one official tensor is made from the source. */
export interface NameRule {
  name: string;
  /** Source tensors whose rows are stacked (one for a plain rename). */
  parts: string[];
  /** Swap the two halves of the rows (AdaLayerNormContinuous's [scale, shift] → BFL's [shift, scale]). */
  swapHalves?: boolean;
  /** Replaces the shape (same element count): a Linear [C, C] read as a 1×1 Conv2d [C, C, 1, 1]. */
  shape?: number[];
}

/**
 * Returns a source with the tensors of `rules`; source tensors no rule uses keep their own names, so the
 * component's converter reports them as unexpected.
 * @throws Error naming the file when a part is missing or parts disagree on their trailing dimensions.
 */
export function makeRenamedSource(src: TensorSource, rules: readonly NameRule[]): TensorSource {
  const used = new Set(rules.flatMap((r) => r.parts));
  const tensors: DerivedTensor[] = rules.map((r) => makeTensor(src, r));
  for (const t of src.listTensors())
    if (!used.has(t.name)) tensors.push({ info: t, read: () => src.readBytes(t.name) });
  return makeDerivedSource(src.path, src.metadata, tensors, () => src.close());
}

function makeTensor(src: TensorSource, rule: NameRule): DerivedTensor {
  const infos = rule.parts.map((p) => {
    if (!src.hasTensor(p)) throw new Error(`${src.path}: missing tensor '${p}' (needed for '${rule.name}')`);
    return src.getTensorInfo(p);
  });
  const first = infos[0]!;
  const tail = (t: TensorInfo) => t.shape.slice(1).join(',');
  if (infos.some((t) => tail(t) !== tail(first) || t.shape.length === 0))
    throw new Error(`${src.path}: '${rule.parts.join("', '")}' cannot be stacked into '${rule.name}' (shapes differ)`);
  const sameDtype = infos.every((t) => t.dtype === first.dtype);
  const rows = infos.reduce((n, t) => n + t.shape[0]!, 0);
  const shape = rule.shape ?? [rows, ...first.shape.slice(1)];
  const info: TensorInfo = {
    ...first,
    name: rule.name,
    shape,
    dtype: sameDtype ? first.dtype : 'F32',
    byteLength: infos.reduce((n, t) => n + t.byteLength, 0),
  };
  const read = async (): Promise<Uint8Array> => {
    const pieces = await Promise.all(
      rule.parts.map(async (p) =>
        sameDtype ? src.readBytes(p) : new Uint8Array((await src.readFloat32(p)).slice().buffer),
      ),
    );
    const out = new Uint8Array(pieces.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of pieces) {
      out.set(b, at);
      at += b.length;
    }
    if (!rule.swapHalves) return out;
    const half = out.length / 2;
    const swapped = new Uint8Array(out.length);
    swapped.set(out.subarray(half));
    swapped.set(out.subarray(0, half), half);
    return swapped;
  };
  return { info, read };
}
