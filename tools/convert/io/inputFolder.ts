/**
 * @file What the converter reads through (pure): a random-access byte source per file and a folder of them.
 * Node gives file handles over the disk (node/nodeFiles.ts); the browser gives picked `File`s
 * (`Blob.slice().arrayBuffer()`), so the same converter runs in both.
 */
import type { ByteReader } from '../inputs/gguf';

/** One input file opened for positioned reads. */
export interface ByteSource {
  /** The path shown in messages. */
  readonly path: string;
  readonly size: number;
  /** `length` bytes at `offset` (fewer only at the end of the file). */
  readonly read: ByteReader;
  close(): Promise<void>;
}

/** The files the user gave, addressed by `/`-separated paths under `dir`. */
export interface InputFolder {
  /** The root path (a folder on disk, or the picked folder's name). */
  readonly dir: string;
  /** Entry names directly inside `path` (files and folders). */
  list(path: string): string[];
  isDir(path: string): boolean;
  exists(path: string): boolean;
  open(path: string): Promise<ByteSource>;
}

/** `a/b` + `c` → `a/b/c` (no `..` handling: inputs never walk up). */
export function joinPath(...parts: string[]): string {
  return parts
    .filter((p) => p.length > 0)
    .join('/')
    .replace(/\/{2,}/g, '/');
}

/** The folder part of a path (`a/b/c` → `a/b`; `c` → `.`). */
export function getDirName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : trimmed.slice(0, i);
}

/** The last part of a path. */
export function getBaseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/**
 * Reads `length` bytes at `offset`, all of them.
 * @throws Error naming the file when it ends first.
 */
export async function readExactly(src: ByteSource, offset: number, length: number): Promise<Uint8Array> {
  const bytes = await src.read(offset, length);
  if (bytes.length !== length) throw new Error(`${src.path}: unexpected end of file at byte ${offset + bytes.length}`);
  return bytes;
}

/** A whole (small) file as UTF-8 text. */
export async function readText(folder: InputFolder, path: string): Promise<string> {
  const src = await folder.open(path);
  try {
    return new TextDecoder().decode(await readExactly(src, 0, src.size));
  } finally {
    await src.close();
  }
}
