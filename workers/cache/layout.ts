/**
 * @file How a bundle lies in the key-value store. One store holds every bundle:
 *   ['bundle', id]                → BundleRecord (the manifest JSON as read, where it came from)
 *   ['file', id, path]            → FileRecord (bytes stored so far, hasher state, verified flag)
 *   ['chunk', id, path, index]    → Blob (index 0, 1, …; their concatenation is the file)
 * A chunk and its file record are written in one transaction, so a reload never leaves them out of step.
 */
import type { Sha256State } from './sha256';

export interface BundleRecord {
  id: string;
  /** manifest.json as parsed JSON (snake_case); parseManifest() runs on every read. */
  manifest: unknown;
  /** The folder URL it was downloaded from; null for picked files. */
  sourceUrl: string | null;
  embedded: boolean;
  addedAt: number;
}

export interface FileRecord {
  /** The manifest entry this record belongs to; a different sha256 or size makes the record stale. */
  sha256: string;
  bytes: number;
  /** Bytes stored in chunks 0 … chunks-1. */
  loaded: number;
  chunks: number;
  /** The hasher after `loaded` bytes, so a resumed download goes on without rereading its chunks. */
  hash: Sha256State | null;
  verified: boolean;
}

export const bundleKey = (id: string): IDBValidKey => ['bundle', id];
export const fileKey = (id: string, path: string): IDBValidKey => ['file', id, path];
export const chunkKey = (id: string, path: string, index: number): IDBValidKey => ['chunk', id, path, index];

/** Keys of chunks 0 … count-1 of a file. */
export function listChunkKeys(id: string, path: string, count: number): IDBValidKey[] {
  return Array.from({ length: count }, (_, i) => chunkKey(id, path, i));
}

/** True for keys of `kind` that belong to bundle `id` (any kind when omitted). */
export function isKeyOf(key: IDBValidKey, id: string, kind?: 'bundle' | 'file' | 'chunk'): boolean {
  return Array.isArray(key) && key[1] === id && (kind === undefined || key[0] === kind);
}

/** An empty record for a manifest file entry. */
export function makeFileRecord(entry: { sha256: string; bytes: number }): FileRecord {
  return { sha256: entry.sha256, bytes: entry.bytes, loaded: 0, chunks: 0, hash: null, verified: false };
}

/** A stored record that still describes this manifest entry, or null when it is missing or stale. */
export function matchFileRecord(
  record: FileRecord | undefined,
  entry: { sha256: string; bytes: number },
): FileRecord | null {
  if (!record || record.sha256 !== entry.sha256 || record.bytes !== entry.bytes) return null;
  if (record.loaded > record.bytes || (record.loaded > 0 && !record.hash && !record.verified)) return null;
  return record;
}
