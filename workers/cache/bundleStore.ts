/**
 * @file The bundle store: downloads (or imports) bundles into a key-value store as verified chunk Blobs,
 * resumes interrupted downloads, and hands files back as Blobs for onnxruntime's externalData. Every runtime
 * object (the store, fetch, crypto.subtle, navigator.storage) comes in through {@link BundleStoreDeps}.
 */
import { EngineError } from '../api/errors';
import type { BundleInfo, BundleSource, FileProgress, StorageInfo } from '../api/jobs';
import type { Manifest } from '../bundle/manifest';
import { getFp16Components } from '../bundle/precision';
import { toCacheError } from './cacheErrors';
import { downloadFile } from './download';
import type { KeyValueStore } from './kvStore';
import {
  bundleKey,
  fileKey,
  isKeyOf,
  listChunkKeys,
  makeFileRecord,
  matchFileRecord,
  type BundleRecord,
  type FileRecord,
} from './layout';
import { createProgressReporter } from './progress';
import { parseStoredManifest, readManifestText } from './readManifest';
import { createFilesReader, createUrlReader, type FetchFn, type SourceReader } from './sources';
import { checkStorageRoom, type StorageLike } from './storageRoom';

export interface BundleStoreDeps {
  store: KeyValueStore;
  fetch: FetchFn;
  /** Hashes one-chunk files natively; null = the TS hasher for everything. */
  subtle: SubtleCrypto | null;
  /** null skips the quota check (a host without the Storage API). */
  storage: StorageLike | null;
  /** The folder URL of the bundle shipped with the app: flagged `embedded` and listed first. */
  embeddedUrl?: string;
  /** Bytes per stored chunk (default {@link DEFAULT_CHUNK_BYTES}). */
  chunkBytes?: number;
  /** Shortest time between two progress reports, ms (default 100). */
  progressIntervalMs?: number;
  /** navigator.onLine, asked when a fetch fails to tell offline from a server problem (default: online). */
  online?: () => boolean;
  /** navigator.locks: keeps two tabs (or workers) from downloading the same bundle at once. */
  locks?: LockLike;
}

/** The part of the Web Locks API the store uses. */
interface LockLike {
  request<T>(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

export interface BundleStore {
  /** Every stored bundle, complete or not; the embedded one first. `unsupportedReason` is left null. */
  listBundles(): Promise<BundleInfo[]>;
  /**
   * Downloads or imports a bundle, verifying each file's sha256; resumes at the first unverified file (and
   * inside it at the last stored byte). Refuses with `quota` before fetching any file when it cannot fit.
   */
  addBundle(
    source: BundleSource,
    onProgress: (files: FileProgress[]) => void,
    signal?: AbortSignal,
  ): Promise<BundleInfo>;
  /** Deletes a bundle (cancelling its download if one is running). */
  deleteBundle(id: string): Promise<void>;
  getManifest(id: string): Promise<Manifest>;
  /** A verified file as one Blob (its chunks concatenated, no bytes copied). */
  getFile(id: string, path: string): Promise<Blob>;
  getStorageInfo(): Promise<StorageInfo>;
}

/**
 * 16 MiB. Chromium's IndexedDB Blob writes were fastest from 16 MiB up (1 MiB ≈ 60–100 MB/s, 16 MiB ≈ 120–180 MB/s
 * on the 2-core lab box, `npm run bench:cache`); memory stays at about two chunks; 10 GB is ~640 chunks; a
 * crash or reload refetches at most one chunk (a cut connection or a cancel refetches nothing already received).
 */
const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;

const sameFolder = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/** Builds the bundle store over the given runtime objects. */
export function createBundleStore(deps: BundleStoreDeps): BundleStore {
  const kv = deps.store;
  const chunkBytes = deps.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1)
    throw new Error(`bundle store: chunkBytes must be a positive integer`);
  const running = new Map<string, { controller: AbortController; done: Promise<unknown> }>();

  function describe(record: BundleRecord, manifest: Manifest | null, files: (FileRecord | undefined)[]): BundleInfo {
    const progress: FileProgress[] = (manifest?.files ?? []).map((f, i) => {
      const r = matchFileRecord(files[i], f);
      return { path: f.path, bytes: f.bytes, loaded: r?.loaded ?? 0, state: r?.verified ? 'verified' : 'pending' };
    });
    return {
      id: record.id,
      name: manifest?.name ?? record.id,
      weights: manifest?.weights ?? 'fp32',
      fp16Activations: manifest ? getFp16Components(manifest.precision) : [],
      totalBytes: progress.reduce((s, f) => s + f.bytes, 0),
      complete: manifest !== null && progress.every((f) => f.state === 'verified'),
      files: progress,
      unsupportedReason: null,
      embedded: record.embedded,
      defaults: manifest
        ? {
            steps: manifest.sampling.defaultSteps,
            guidance: manifest.sampling.defaultGuidance,
            average: manifest.sampling.defaultAverage,
          }
        : null,
      domain: manifest?.domain ? { ...manifest.domain, measureSize: manifest.sampling.resolutions[0]! } : null,
      loras: manifest?.loras ?? [],
    };
  }

  async function readRecord(id: string): Promise<BundleRecord> {
    const [record] = await kv.getMany<BundleRecord>([bundleKey(id)]);
    if (!record) throw new EngineError('bundle-not-found', `No bundle "${id}" is stored in this browser.`);
    return record;
  }

  function requestPersistence(): void {
    const storage = deps.storage;
    if (!storage?.persist) return; // not in workers: the page asks (navigator.storage.persist())
    // Not awaited: Firefox shows a prompt, and the download must not wait for the user's answer.
    void (async () => {
      if (!(await storage.persisted?.())) await storage.persist!();
    })().catch(() => undefined);
  }

  /**
   * A verified file's chunk Blobs, each checked to be readable (one byte). Chromium can lose the data of Blobs
   * stored in a private (in-memory) profile under memory pressure although the write succeeded; such a file
   * is deleted so that adding the bundle again fetches it.
   * @throws EngineError `quota` when a chunk cannot be read.
   */
  async function readChunks(id: string, path: string, record: FileRecord): Promise<Blob[]> {
    const chunks = await kv.getMany<Blob>(listChunkKeys(id, path, record.chunks));
    const readable = await Promise.all(
      chunks.map((c): Promise<boolean> =>
        c
          ? c
              .slice(0, 1)
              .arrayBuffer()
              .then(
                () => true,
                () => false,
              )
          : Promise.resolve(false),
      ),
    );
    if (readable.every(Boolean)) return chunks as Blob[];
    await kv.delMany([fileKey(id, path), ...listChunkKeys(id, path, record.chunks)]);
    throw new EngineError(
      'quota',
      `The browser lost the stored data of "${path}" (bundle "${id}"); this happens in private windows ` +
        'or when storage runs short. Add the bundle again to download the missing part.',
    );
  }

  /** Drops stored records and chunks that this manifest no longer describes. */
  async function prune(id: string, manifest: Manifest, stored: (FileRecord | undefined)[]): Promise<FileRecord[]> {
    const records = manifest.files.map((f, i) => matchFileRecord(stored[i], f) ?? makeFileRecord(f));
    // A record replaced by a fresh one was stale (another sha256 or size): its file key and chunks go too.
    const kept = new Map(
      manifest.files.map((f, i) => [
        f.path,
        { chunks: records[i]!.chunks, stale: stored[i] !== undefined && stored[i] !== records[i] },
      ]),
    );
    const orphans = (await kv.keys()).filter((k) => {
      if (!Array.isArray(k) || !isKeyOf(k, id)) return false;
      const file = kept.get(k[2] as string);
      if (k[0] === 'file') return !file || file.stale;
      return k[0] === 'chunk' && (!file || (k[3] as number) >= file.chunks);
    });
    if (orphans.length > 0) await kv.delMany(orphans);
    return records;
  }

  async function download(
    reader: SourceReader,
    json: unknown,
    manifest: Manifest,
    onProgress: (f: FileProgress[]) => void,
    signal: AbortSignal,
  ) {
    const id = manifest.id;
    const [previous] = await kv.getMany<BundleRecord>([bundleKey(id)]);
    const stored = await kv.getMany<FileRecord>(manifest.files.map((f) => fileKey(id, f.path)));
    // The same manifest, every file verified: the app re-adds its built-in bundle on every load, and a no-op here
    // keeps IndexedDB free for the model the user waits for. A chunk the browser lost since is still caught when
    // a session reads the file (getFile), which deletes it so that the next add fetches it again.
    if (
      previous &&
      JSON.stringify(previous.manifest) === JSON.stringify(json) &&
      manifest.files.every((f, i) => matchFileRecord(stored[i], f)?.verified)
    ) {
      const info = describe(previous, manifest, stored);
      onProgress(info.files);
      return info;
    }
    const records = await prune(id, manifest, stored);
    for (const [i, entry] of manifest.files.entries()) {
      if (records[i]!.verified)
        await readChunks(id, entry.path, records[i]!).catch(() => {
          records[i] = makeFileRecord(entry);
        });
    }
    await checkStorageRoom(
      deps.storage,
      manifest.files.reduce((s, f, i) => s + (records[i]!.verified ? 0 : f.bytes - records[i]!.loaded), 0),
      'This bundle',
    );
    requestPersistence();
    const record: BundleRecord = {
      id,
      manifest: json,
      sourceUrl: reader.url ?? previous?.sourceUrl ?? null,
      embedded:
        previous?.embedded === true ||
        (reader.url !== null && deps.embeddedUrl !== undefined && sameFolder(reader.url, deps.embeddedUrl)),
      addedAt: previous?.addedAt ?? Date.now(),
    };
    await kv.setMany([[bundleKey(id), record]]);

    const progress = createProgressReporter(
      describe(record, manifest, records).files,
      onProgress,
      deps.progressIntervalMs,
    );
    progress.flush();
    for (const [i, entry] of manifest.files.entries()) {
      if (records[i]!.verified) continue;
      progress.update(entry.path, { state: 'downloading', loaded: records[i]!.loaded });
      try {
        records[i] = await downloadFile({
          kv,
          bundleId: id,
          entry,
          record: records[i]!,
          chunkBytes,
          subtle: deps.subtle,
          signal,
          open: (offset) => reader.openFile(entry, offset, signal),
          onLoaded: (loaded) => progress.update(entry.path, { loaded }),
          onVerifying: () => progress.update(entry.path, { state: 'verifying' }),
        });
      } catch (e) {
        const error = toCacheError(e, entry.path, signal);
        progress.update(entry.path, { state: 'failed', ...(error.code === 'hash-mismatch' ? { loaded: 0 } : {}) });
        progress.flush();
        throw error;
      }
      await readChunks(id, entry.path, records[i]).catch((e) => {
        progress.update(entry.path, { state: 'failed', loaded: 0 });
        progress.flush();
        throw e;
      });
      progress.update(entry.path, { state: 'verified', loaded: entry.bytes });
    }
    progress.flush();
    return describe(record, manifest, records);
  }

  function openSource(source: BundleSource): SourceReader {
    if (source.kind === 'url') return createUrlReader(source.url, deps.fetch, deps.online);
    if (source.kind === 'files') return createFilesReader(source.files);
    // { kind: 'embedded' }: the bundle shipped with the app, fetched from our own origin like any URL.
    if (!deps.embeddedUrl) throw new EngineError('bad-input', 'This build ships no embedded bundle.');
    return createUrlReader(deps.embeddedUrl, deps.fetch, deps.online);
  }

  async function addBundle(
    source: BundleSource,
    onProgress: (f: FileProgress[]) => void,
    signal?: AbortSignal,
  ): Promise<BundleInfo> {
    const reader = openSource(source);
    const where = reader.url ?? 'the picked folder';
    const mine = new AbortController();
    const combined = signal ? AbortSignal.any([signal, mine.signal]) : mine.signal;
    let text: string;
    try {
      combined.throwIfAborted();
      text = await reader.readManifest(combined);
    } catch (e) {
      throw toCacheError(e, 'manifest.json', combined);
    }
    const { json, manifest } = readManifestText(text, where);
    const busy = () =>
      new EngineError('busy', `Bundle "${manifest.id}" is already being downloaded (in this or another tab).`);
    if (running.has(manifest.id)) throw busy();
    const run = () => download(reader, json, manifest, onProgress, combined);
    const done = deps.locks
      ? deps.locks.request(`kontext-bundle:${manifest.id}`, { ifAvailable: true }, async (lock) => {
          if (!lock) throw busy();
          return run();
        })
      : run();
    running.set(manifest.id, { controller: mine, done });
    try {
      return await done;
    } finally {
      running.delete(manifest.id);
    }
  }

  return {
    async listBundles() {
      const ids = (await kv.keys()).flatMap((k) =>
        Array.isArray(k) && k[0] === 'bundle' && typeof k[1] === 'string' ? [k[1]] : [],
      );
      const records = (await kv.getMany<BundleRecord>(ids.map(bundleKey))).filter(
        (r): r is BundleRecord => r !== undefined,
      );
      const infos = await Promise.all(
        records.map(async (r) => {
          let manifest: Manifest | null = null;
          try {
            manifest = parseStoredManifest(r.manifest, r.id);
          } catch {
            /* listed (so it can be deleted) but never complete */
          }
          const files = manifest ? await kv.getMany<FileRecord>(manifest.files.map((f) => fileKey(r.id, f.path))) : [];
          return { info: describe(r, manifest, files), addedAt: r.addedAt };
        }),
      );
      infos.sort((a, b) => Number(b.info.embedded) - Number(a.info.embedded) || a.addedAt - b.addedAt);
      return infos.map((x) => x.info);
    },
    addBundle,
    async deleteBundle(id) {
      const active = running.get(id);
      if (active) {
        active.controller.abort();
        await active.done.catch(() => undefined);
      }
      const remove = async () => {
        const keys = (await kv.keys()).filter((k) => isKeyOf(k, id));
        if (keys.length > 0) await kv.delMany(keys);
      };
      if (!deps.locks) return remove();
      return deps.locks.request(`kontext-bundle:${id}`, { ifAvailable: true }, async (lock) => {
        if (!lock)
          throw new EngineError('busy', `Bundle "${id}" is being downloaded in another tab; cancel it there first.`);
        return remove();
      });
    },
    async getManifest(id) {
      return parseStoredManifest((await readRecord(id)).manifest, `"${id}"`);
    },
    async getFile(id, path) {
      const [record] = await kv.getMany<FileRecord>([fileKey(id, path)]);
      if (!record?.verified)
        throw new EngineError(
          'bundle-incomplete',
          `"${path}" of bundle "${id}" is not stored completely; add the bundle again to finish it.`,
        );
      return new Blob(await readChunks(id, path, record));
    },
    async getStorageInfo() {
      const estimate = await deps.storage?.estimate();
      return {
        usage: estimate?.usage ?? 0,
        quota: estimate?.quota ?? 0,
        persisted: (await deps.storage?.persisted?.()) ?? false,
      };
    },
  };
}
