/**
 * @file Minimal safetensors writer (Node) for tests and fixtures: F32 and I32 tensors, or raw
 * little-endian bytes of any dtype.
 */
import { open } from 'node:fs/promises';
import { DTYPE_BYTES, type SafetensorsDtype } from './safetensorsDtypes';

/** A tensor to write: typed data with its shape, or raw bytes with an explicit dtype. */
export type WritableTensor =
  | { shape: readonly number[]; data: Float32Array }
  | { shape: readonly number[]; data: Int32Array }
  | { shape: readonly number[]; data: Uint8Array | Uint16Array; dtype: SafetensorsDtype };

/**
 * Writes `tensors` (in insertion order) to `path` as a safetensors file.
 * @throws Error when a tensor's byte size does not match its shape and dtype.
 */
export async function writeSafetensors(
  path: string,
  tensors: Readonly<Record<string, WritableTensor>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const dtype = getDtype(t);
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const expected = t.shape.reduce((n, d) => n * d, 1) * DTYPE_BYTES[dtype];
    if (bytes.length !== expected) {
      throw new Error(
        `writeSafetensors ${path}: '${name}' has ${bytes.length} bytes, shape [${t.shape}] of ${dtype} needs ${expected}`,
      );
    }
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    payloads.push(bytes);
    offset += bytes.length;
  }
  // Pad the JSON with spaces to a multiple of 8 so the data section starts aligned, as the reference writer does.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const jsonBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(jsonBytes.length));
  const handle = await open(path, 'w');
  try {
    let position = 0;
    for (const part of [prefix, jsonBytes, ...payloads]) {
      // A positioned write may be partial; loop until the part is on disk.
      for (let done = 0; done < part.length;) {
        const { bytesWritten } = await handle.write(part, done, part.length - done, position + done);
        done += bytesWritten;
      }
      position += part.length;
    }
  } finally {
    await handle.close();
  }
}

function getDtype(t: WritableTensor): SafetensorsDtype {
  if ('dtype' in t) return t.dtype;
  return t.data instanceof Float32Array ? 'F32' : 'I32';
}
