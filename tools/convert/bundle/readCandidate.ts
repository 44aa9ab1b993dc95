/**
 * @file Node side of the input detection: opens a checkpoint's header (safetensors or GGUF) to tell
 * which component it is, and the GGUF byte reader over a file.
 */
import { open } from 'node:fs/promises';
import { classifyTensorNames, type Candidate } from '../inputs/layout';
import { readGgufHeader, type ByteReader } from '../inputs/gguf';
import { GGML_BLOCKS } from '../inputs/ggmlQuants';
import { openTensorSource } from '../safetensors';

/** A positioned reader over a file and its size; `close` releases the handle. */
export async function openFileReader(
  path: string,
): Promise<{ read: ByteReader; size: number; close: () => Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  const read: ByteReader = async (offset, length) => {
    const buf = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buf.subarray(0, done);
  };
  return { read, size, close: () => handle.close() };
}

/**
 * Reads the header of `path` and returns what component it holds, or null for anything else.
 * @throws the reader's error, naming the file, when the header is damaged.
 */
export async function readCandidate(path: string, container: 'safetensors' | 'gguf'): Promise<Candidate | null> {
  if (container === 'gguf') {
    const file = await openFileReader(path);
    try {
      const header = await readGgufHeader(file.read, file.size, path);
      const kind = classifyTensorNames(header.tensors.map((t) => t.name));
      return kind && { path, container, ...kind, lossy: header.tensors.some((t) => GGML_BLOCKS[t.type] !== undefined) };
    } finally {
      await file.close();
    }
  }
  const src = await openTensorSource(path);
  try {
    const tensors = src.listTensors();
    const kind = classifyTensorNames(tensors.map((t) => t.name));
    return kind && { path, container, ...kind, lossy: tensors.some((t) => t.dtype === 'F8_E4M3') };
  } finally {
    await src.close();
  }
}
