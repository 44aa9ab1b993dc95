/**
 * @file The converter's output in the browser: bundle files written straight into the engine's bundle store
 * (workers/cache, the same keys a download uses), as 16 MiB chunk Blobs hashed while they are written. No
 * `['bundle', id]` record exists until {@link StoreSink.publish} has read every file back and checked its
 * sha256, so the Models view never lists (or lets anyone select) a half-written bundle.
 */
import { EngineError } from '../api/errors';
import type { FileEntry } from '../bundle/manifest';
import type { KeyValueStore } from '../cache/kvStore';
import {
  bundleKey,
  chunkKey,
  fileKey,
  isKeyOf,
  listChunkKeys,
  type BundleRecord,
  type FileRecord,
} from '../cache/layout';
import { createSha256 } from '../cache/sha256';
import type { BundleSink } from '../../tools/convert/io/bundleSink';

export interface StoreSink extends BundleSink {
  /** Deletes stored files of this bundle that are not in `keep` (a step interrupted before a reload). */
  discardExcept(keep: readonly string[]): Promise<void>;
  /**
   * Reads every manifest file back, checks its sha256, marks it verified and writes the bundle record: the
   * bundle becomes visible only now.
   * @throws EngineError `hash-mismatch` when a stored file does not match.
   */
  publish(manifestJson: unknown, files: readonly FileEntry[]): Promise<void>;
}

const CHUNK_BYTES = 16 * 1024 * 1024;

/** A sink writing bundle `id` into `kv`. */
export function openStoreSink(kv: KeyValueStore, id: string, chunkBytes = CHUNK_BYTES): StoreSink {
  let tail: Promise<void> = Promise.resolve();
  let failure: Error | null = null;
  const written = new Map<string, FileEntry>();
  const enqueue = (entries: [IDBValidKey, unknown][]) => {
    tail = tail
      .then(() => (failure ? undefined : kv.setMany(entries)))
      .catch((e: unknown) => {
        failure ??= e instanceof Error ? e : new Error(String(e));
      });
  };
  async function readRecord(path: string): Promise<FileRecord> {
    const [record] = await kv.getMany<FileRecord>([fileKey(id, path)]);
    if (!record) throw new Error(`bundle "${id}": "${path}" was not written`);
    return record;
  }
  async function readStored(path: string): Promise<Blob> {
    const record = await readRecord(path);
    const chunks = await kv.getMany<Blob>(listChunkKeys(id, path, record.chunks));
    if (chunks.some((c) => !c)) throw new EngineError('hash-mismatch', `"${path}": stored chunks are missing`);
    return new Blob(chunks as Blob[]);
  }
  return {
    create(path) {
      const hash = createSha256();
      let buffer = new Uint8Array(chunkBytes);
      let filled = 0;
      let record: FileRecord = { sha256: '', bytes: 0, loaded: 0, chunks: 0, hash: null, verified: false };
      const flush = (final: boolean) => {
        const bytes = buffer.slice(0, filled);
        hash.update(bytes);
        record = {
          ...record,
          loaded: record.loaded + filled,
          chunks: record.chunks + (filled > 0 ? 1 : 0),
        };
        if (final) record = { ...record, sha256: hash.digestHex(), bytes: record.loaded };
        const entries: [IDBValidKey, unknown][] = [];
        if (filled > 0) entries.push([chunkKey(id, path, record.chunks - 1), new Blob([bytes])]);
        entries.push([fileKey(id, path), record]);
        enqueue(entries);
        filled = 0;
      };
      return {
        write(data) {
          for (let p = 0; p < data.length;) {
            const n = Math.min(chunkBytes - filled, data.length - p);
            buffer.set(data.subarray(p, p + n), filled);
            filled += n;
            p += n;
            if (filled === chunkBytes) flush(false);
          }
        },
        close() {
          flush(true);
          buffer = new Uint8Array(0);
          written.set(path, { path, bytes: record.bytes, sha256: record.sha256 });
        },
      };
    },
    async drain() {
      await tail;
      if (failure) throw failure;
    },
    async describe(path) {
      const entry = written.get(path);
      if (entry) return entry;
      const r = await readRecord(path); // written by an earlier run (resumed)
      return { path, bytes: r.bytes, sha256: r.sha256 };
    },
    read: async (path) => new Uint8Array(await (await readStored(path)).arrayBuffer()),
    async discardExcept(keep) {
      const kept = new Set(keep);
      const stale = (await kv.keys()).filter(
        (k) => Array.isArray(k) && isKeyOf(k, id) && (k[0] === 'file' || k[0] === 'chunk') && !kept.has(k[2] as string),
      );
      if (stale.length > 0) await kv.delMany(stale);
    },
    async publish(manifestJson, files) {
      await this.drain();
      // Few transactions whatever the file count (each costs a round trip to the browser process, seconds on a
      // starved machine): the records and the chunk Blobs (handles, not bytes) in two reads, and the verified
      // records with the bundle record in one write. Each file is hashed from one stream over its chunk Blobs:
      // small pieces that are garbage at once. Reading each 16 MiB chunk into an ArrayBuffer instead
      // grew the renderer by about the bytes read (+900 MB RSS while a 731 MB bundle was checked,
      // bench:convert-memory at --scale 0.25): the whole bundle is read here, so that did not stay bounded.
      const records = await kv.getMany<FileRecord>(files.map((f) => fileKey(id, f.path)));
      const chunkKeys = files.map((f, i) => listChunkKeys(id, f.path, records[i]?.chunks ?? 0));
      const chunks = await kv.getMany<Blob>(chunkKeys.flat());
      const verified: [IDBValidKey, unknown][] = [];
      let next = 0;
      for (const [i, entry] of files.entries()) {
        const record = records[i];
        if (!record) throw new Error(`bundle "${id}": "${entry.path}" was not written`);
        const fileChunks = chunks.slice(next, (next += record.chunks));
        if (fileChunks.some((c) => !c))
          throw new EngineError('hash-mismatch', `"${entry.path}": stored chunks are missing`);
        const hash = createSha256();
        const reader = new Blob(fileChunks as Blob[]).stream().getReader();
        for (let r = await reader.read(); !r.done; r = await reader.read()) hash.update(r.value);
        const actual = hash.digestHex();
        if (actual !== entry.sha256 || record.loaded !== entry.bytes)
          throw new EngineError(
            'hash-mismatch',
            `"${entry.path}" stored as sha256 ${actual}, written as ${entry.sha256}`,
          );
        verified.push([fileKey(id, entry.path), { ...record, sha256: actual, bytes: entry.bytes, verified: true }]);
      }
      const bundle: BundleRecord = {
        id,
        manifest: manifestJson,
        sourceUrl: null,
        embedded: false,
        addedAt: Date.now(),
      };
      await kv.setMany([...verified, [bundleKey(id), bundle]]);
    },
  };
}
