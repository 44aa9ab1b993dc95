/**
 * @file The converter's inputs on Node: file handles as ByteSources, the disk as an InputFolder, and the
 * path-taking openers the CLI and the tests use.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { ConvertError } from '../bundle/modelFolder';
import type { ByteSource, InputFolder } from '../io/inputFolder';
import { openSafetensorsFile, openTensorSource as openTensorSourceIn, type TensorSource } from '../safetensors';

export { SafetensorsError, type TensorInfo, type TensorSource } from '../safetensors';
export { writeSafetensors, type WritableTensor } from '../safetensorsWriter';

/** A file handle as a ByteSource. */
async function openFileSource(path: string): Promise<ByteSource> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    path,
    size,
    async read(offset, length) {
      const buf = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      let done = 0;
      while (done < buf.length) {
        const { bytesRead } = await handle.read(buf, done, buf.length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf.subarray(0, done);
    },
    close: () => handle.close(),
  };
}

/** The folder `dir` on disk; paths are disk paths (`dir/...`). */
export function openNodeFolder(dir: string): InputFolder {
  return {
    dir,
    list: (path) => readdirSync(path),
    isDir: (path) => existsSync(path) && statSync(path).isDirectory(),
    exists: (path) => existsSync(path),
    open: openFileSource,
  };
}

/** Opens one .safetensors file on disk. */
export async function openSafetensors(path: string): Promise<TensorSource> {
  return openSafetensorsFile(await openFileSource(path));
}

/** Opens a .safetensors file, an index JSON, or a folder holding either (see safetensors.ts). */
export function openTensorSource(path: string): Promise<TensorSource> {
  return openTensorSourceIn(openNodeFolder('.'), path);
}

/** Reads a JSON file; `T` is the shape the caller expects (the parse functions it feeds check it). */
export function readJsonFile<T = unknown>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new ConvertError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** sha256 (hex) of a file, read in chunks. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 8 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
