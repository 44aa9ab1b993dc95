/**
 * @file A TensorSource whose tensors are computed from other sources (renamed, concatenated, decoded,
 * dequantised): the adapters that turn other layouts into the official one build on it. Pure TypeScript.
 */
import type { TensorInfo, TensorSource } from '../safetensors';
import { convertToFloat32, convertToInt32 } from '../safetensorsDtypes';

/** One tensor of a derived source: what it looks like and how to produce its little-endian bytes. */
export interface DerivedTensor {
  /** `byteLength` counts the source bytes read to make it (the converter's progress measure). */
  info: TensorInfo;
  read(): Promise<Uint8Array>;
}

/**
 * Makes a TensorSource over `tensors`; `close` releases whatever they read from.
 * @throws Error (when read) naming the source for an unknown tensor.
 */
export function makeDerivedSource(
  path: string,
  metadata: Readonly<Record<string, string>>,
  tensors: readonly DerivedTensor[],
  close: () => Promise<void>,
): TensorSource {
  const byName = new Map(tensors.map((t) => [t.info.name, t]));
  const get = (name: string): DerivedTensor => {
    const t = byName.get(name);
    if (!t) throw new Error(`${path}: no tensor named '${name}'`);
    return t;
  };
  const label = (name: string) => `${path}: ${name}`;
  return {
    path,
    metadata,
    listTensors: () => tensors.map((t) => t.info),
    hasTensor: (name) => byName.has(name),
    getTensorInfo: (name) => get(name).info,
    readBytes: (name) => get(name).read(),
    readFloat32: async (name) => convertToFloat32(await get(name).read(), get(name).info.dtype, label(name)),
    readInt32: async (name) => convertToInt32(await get(name).read(), get(name).info.dtype, label(name)),
    close,
  };
}
