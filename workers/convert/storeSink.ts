/**
 * @file The converter's output in the browser: bundle files written straight into the engine's bundle store
 * (workers/cache, the same keys a download uses), as 16 MiB chunk Blobs hashed while they are written. No
 * `['bundle', id]` record exists until {@link StoreSink.publish} has checked that every file is stored whole,
 * so the Models view never lists (or lets anyone select) a half-written bundle.
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
   * Checks that every manifest file is stored whole as written (its record, sha256 and size; every chunk
   * present and readable), marks it verified and writes the bundle record: the bundle becomes visible only now.
   * @throws EngineError `hash-mismatch` when a stored file does not match.
   */
  publish(manifestJson: unknown, files: readonly FileEntry[]): Promise<void>;
}

const CHUNK_BYTES = 16 * 1024 * 1024;
/** Chunk Blobs fetched per IndexedDB read while publishing: a few transactions, a few handles held. */
const PUBLISH_BATCH_CHUNKS = 16;

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
      // Grown as written, up to one chunk: most graph files (the .onnx, the staged decoder's) are small, and a
      // 16 MiB buffer each is garbage V8 is slow to collect. Reused chunk after chunk: a Blob copies its bytes.
      let buffer = new Uint8Array(Math.min(chunkBytes, 64 * 1024));
      let filled = 0;
      let record: FileRecord = { sha256: '', bytes: 0, loaded: 0, chunks: 0, hash: null, verified: false };
      const flush = (final: boolean) => {
        const bytes = buffer.subarray(0, filled);
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
            if (filled + n > buffer.length) {
              const grown = new Uint8Array(Math.min(chunkBytes, Math.max(2 * buffer.length, filled + n)));
              grown.set(buffer.subarray(0, filled));
              buffer = grown;
            }
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
      // Every file was hashed from the very bytes handed to the store (as a download is), so publishing checks
      // that the store holds them all — each record matches its manifest entry, every chunk is there and the
      // chunk sizes add up — without reading the bundle back (the engine reads a byte of each chunk before it
      // loads a bundle, and says so when the browser lost one). A full read-back of FLUX's 10 GB took minutes and
      // grew Chromium's renderer by 0.8–1.5 GB (default-reader streams' buffers outgrow collection), past #13's
      // 2 GB bar.
      const records = await kv.getMany<FileRecord>(files.map((f) => fileKey(id, f.path)));
      const chunkKeys = files.flatMap((entry, i) => {
        const record = records[i];
        if (!record) throw new Error(`bundle "${id}": "${entry.path}" was not written`);
        if (record.sha256 !== entry.sha256 || record.loaded !== entry.bytes)
          throw new EngineError(
            'hash-mismatch',
            `"${entry.path}" was written as ${record.loaded} bytes, sha256 ${record.sha256}; ` +
              `the manifest says ${entry.bytes} bytes, sha256 ${entry.sha256}`,
          );
        return listChunkKeys(id, entry.path, record.chunks).map((key) => ({ key, file: i }));
      });
      const storedBytes = files.map(() => 0);
      for (let k = 0; k < chunkKeys.length; k += PUBLISH_BATCH_CHUNKS) {
        const batch = chunkKeys.slice(k, k + PUBLISH_BATCH_CHUNKS);
        const chunks = await kv.getMany<Blob>(batch.map((c) => c.key));
        for (const [j, { file }] of batch.entries()) {
          const chunk = chunks[j];
          if (!chunk) throw new EngineError('hash-mismatch', `"${files[file]!.path}": a stored chunk is missing`);
          storedBytes[file]! += chunk.size;
        }
      }
      const verified: [IDBValidKey, unknown][] = files.map((entry, i) => {
        if (storedBytes[i] !== entry.bytes)
          throw new EngineError(
            'hash-mismatch',
            `"${entry.path}": its stored chunks hold ${storedBytes[i]} bytes, ${entry.bytes} were written`,
          );
        return [fileKey(id, entry.path), { ...records[i]!, verified: true }];
      });
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
