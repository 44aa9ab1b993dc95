/**
 * @file Downloads one bundle file into chunk Blobs, hashing as it goes, resumable at the last stored chunk.
 * Memory stays at about two chunks whatever the file size: the stream is cut into chunks of `chunkBytes`; each
 * is hashed (the TS SHA-256, whose state is saved with the chunk) and written with the file record in one
 * transaction, while the next chunk fills. crypto.subtle has no streaming digest, so it only hashes files that
 * fit in one chunk (the bytes are in memory anyway; ~4–6× faster than the TS hasher in Chromium).
 */
import { EngineError } from '../api/errors';
import type { FileEntry } from '../bundle/manifest';
import { toCacheError } from './cacheErrors';
import type { KeyValueStore } from './kvStore';
import { chunkKey, fileKey, listChunkKeys, type FileRecord } from './layout';
import { createSha256 } from './sha256';

export interface DownloadFileOptions {
  kv: KeyValueStore;
  bundleId: string;
  entry: FileEntry;
  /** The file's stored record (matching `entry`), or a fresh one. */
  record: FileRecord;
  /** The file's bytes from `offset` on. */
  open: (offset: number) => Promise<ReadableStream<Uint8Array>>;
  chunkBytes: number;
  /** Hashes files that fit in one chunk in one go (faster than the TS hasher); null = always the TS hasher. */
  subtle: SubtleCrypto | null;
  signal: AbortSignal;
  /** Bytes received so far (stored or buffered). */
  onLoaded: (loaded: number) => void;
  onVerifying: () => void;
}

/** Lowercase hex of a digest. */
function toHex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Stores `entry` from where its record stopped and verifies its sha256.
 * @returns the verified record.
 * @throws EngineError `hash-mismatch` (the file's chunks are deleted, so a retry fetches it again), `quota`,
 *   `cancelled`, `bad-input` (missing file) or `runtime` (network; a retry resumes).
 */
export async function downloadFile(o: DownloadFileOptions): Promise<FileRecord> {
  const { kv, bundleId: id, entry, signal } = o;
  let record = o.record;
  if (record.verified) return record;
  const wholeInOneChunk = o.subtle !== null && record.loaded === 0 && entry.bytes <= o.chunkBytes;
  const hasher = createSha256(record.hash ?? undefined);
  const buffer: Uint8Array<ArrayBuffer> = new Uint8Array(Math.min(o.chunkBytes, entry.bytes - record.loaded));
  let filled = 0;

  // The last chunk's write runs on while the next chunk fills and hashes. At most one is in flight, so the
  // writes commit in order and a stored record never counts a chunk that is not stored.
  let inFlight: Promise<void> | null = null;
  let writeFailed = false;
  async function settle(): Promise<void> {
    const write = inFlight;
    inFlight = null;
    await write;
  }

  async function fail(message: string): Promise<never> {
    await settle().catch(() => undefined);
    await kv.delMany([fileKey(id, entry.path), ...listChunkKeys(id, entry.path, record.chunks)]);
    throw new EngineError('hash-mismatch', `"${entry.path}" ${message}. It was deleted; retry to download it again.`);
  }

  async function store(bytes: Uint8Array<ArrayBuffer>, final: boolean): Promise<void> {
    const next: FileRecord = {
      ...record,
      loaded: record.loaded + bytes.length,
      chunks: record.chunks + (bytes.length > 0 ? 1 : 0),
    };
    const writes: [IDBValidKey, unknown][] =
      bytes.length > 0 ? [[chunkKey(id, entry.path, record.chunks), new Blob([bytes])]] : [];
    // One-chunk files are hashed by subtle at the end; a partial one kept after an error needs the TS state.
    if (!wholeInOneChunk || !final) hasher.update(bytes);
    if (final) {
      o.onVerifying();
      const actual = wholeInOneChunk ? toHex(await o.subtle!.digest('SHA-256', bytes)) : hasher.digestHex();
      if (next.loaded !== entry.bytes) await fail(`ended after ${next.loaded} bytes; the manifest says ${entry.bytes}`);
      if (actual !== entry.sha256)
        await fail(`does not match the manifest (sha256 ${actual}, expected ${entry.sha256})`);
      Object.assign(next, { verified: true, hash: null });
    } else {
      next.hash = hasher.saveState();
    }
    writes.push([fileKey(id, entry.path), next]);
    await settle();
    const write = kv.setMany(writes).catch((e: unknown) => {
      writeFailed = true;
      throw e;
    });
    if (final) {
      await write;
    } else {
      inFlight = write;
      write.catch(() => undefined); // observed by the next settle(); not an unhandled rejection meanwhile
    }
    record = next; // what the next chunk builds on (the write may still be running)
  }

  // Set when the stream failed or the signal fired (not a store): what arrived so far can be kept.
  let interrupted = false;
  async function read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    try {
      signal.throwIfAborted();
      const result = await reader.read();
      signal.throwIfAborted(); // a cancelled file stream reads as done: that must not look like a short file
      return result;
    } catch (e) {
      interrupted = true;
      throw e;
    }
  }

  signal.throwIfAborted();
  const reader = (await o.open(record.loaded)).getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', cancel);
  try {
    while (!record.verified) {
      const { done, value } = await read();
      if (done) {
        await store(buffer.subarray(0, filled), true); // throws unless exactly entry.bytes arrived
        break;
      }
      for (let p = 0; p < value.length && !record.verified;) {
        if (filled === buffer.length) await fail(`is longer than the manifest's ${entry.bytes} bytes`);
        const n = Math.min(buffer.length - filled, value.length - p);
        buffer.set(value.subarray(p, p + n), filled);
        filled += n;
        p += n;
        const atEnd = record.loaded + filled === entry.bytes;
        if (filled === buffer.length || atEnd) {
          await store(buffer.subarray(0, filled), atEnd);
          filled = 0;
        }
      }
      o.onLoaded(record.loaded + filled);
    }
  } catch (error) {
    let failure = error;
    // A write that failed meanwhile (storage full) says more than the read error it raced with.
    await settle().catch((e) => {
      if (!(error instanceof EngineError)) failure = e;
    });
    // A cut connection or a cancel keeps what already arrived, so a retry resumes from the last byte received.
    if (interrupted && !writeFailed && filled > 0) {
      await store(buffer.subarray(0, filled), false)
        .then(settle)
        .catch(() => undefined);
    }
    throw toCacheError(failure, entry.path, signal);
  } finally {
    signal.removeEventListener('abort', cancel);
    cancel();
  }
  return record;
}
