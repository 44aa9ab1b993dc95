/**
 * @file A GGUF DiT (city96's ComfyUI-GGUF layout: BFL tensor names, large weights quantised, small ones
 * F32/F16/BF16) as a TensorSource: plain tensors read as stored, quantised ones dequantised to float32 so
 * the converter requantises them to the bundle's format. Pure TypeScript over a ByteReader.
 */
import type { TensorSource } from '../safetensors';
import type { SafetensorsDtype } from '../safetensorsDtypes';
import { makeDerivedSource, type DerivedTensor } from './derivedSource';
import { dequantizeGgml, GGML_TYPE } from './ggmlQuants';
import { GgufError, readGgufHeader, type ByteReader, type GgufTensor, type GgufValue } from './gguf';

const PLAIN_DTYPES: Readonly<Record<number, SafetensorsDtype>> = {
  [GGML_TYPE.F32]: 'F32',
  [GGML_TYPE.F16]: 'F16',
  [GGML_TYPE.BF16]: 'BF16',
};

/** ComfyUI-GGUF records the PyTorch shape of a tensor it had to reshape under this key prefix. */
const ORIGINAL_SHAPE_KEY = 'comfy.gguf.orig_shape.';

/**
 * Opens a GGUF file read through `read`; `close` releases the reader's file.
 * @throws GgufError naming the file for a damaged header or an unsupported tensor type.
 */
export async function openGgufSource(
  read: ByteReader,
  size: number,
  path: string,
  close: () => Promise<void>,
): Promise<TensorSource> {
  const header = await readGgufHeader(read, size, path);
  const metadata: Record<string, string> = {};
  for (const [key, value] of header.metadata) if (!Array.isArray(value)) metadata[key] = String(value);
  const tensors = header.tensors.map((t) => toDerived(t, read, path, header.metadata.get(ORIGINAL_SHAPE_KEY + t.name)));
  return makeDerivedSource(path, metadata, tensors, close);
}

function toDerived(t: GgufTensor, read: ByteReader, path: string, original: GgufValue | undefined): DerivedTensor {
  const count = t.shape.reduce((n, d) => n * d, 1);
  const shape = original === undefined ? t.shape : checkOriginalShape(original, count, `${path}: '${t.name}'`);
  const plain = PLAIN_DTYPES[t.type];
  const readAll = async () => {
    const bytes = await read(t.offset, t.byteLength);
    if (bytes.length !== t.byteLength) throw new GgufError(`${path}: '${t.name}' is cut short (truncated file?)`);
    return bytes;
  };
  const info = { name: t.name, shape, file: path, byteOffset: t.offset, byteLength: t.byteLength };
  if (plain) return { info: { ...info, dtype: plain }, read: readAll };
  return {
    info: { ...info, dtype: 'F32' },
    read: async () => new Uint8Array(dequantizeGgml(t.type, await readAll(), count).buffer),
  };
}

function checkOriginalShape(value: GgufValue, count: number, label: string): number[] {
  const shape = Array.isArray(value) ? value.map(Number) : [];
  if (
    shape.length === 0 ||
    shape.some((d) => !Number.isSafeInteger(d) || d < 0) ||
    shape.reduce((n, d) => n * d, 1) !== count
  )
    throw new GgufError(
      `${label}: ${ORIGINAL_SHAPE_KEY} ${JSON.stringify(String(value))} does not hold its ${count} values`,
    );
  return shape;
}
