/**
 * @file The browser half of `npm run bench:cache`, loaded through Vite into a Chromium page: the measurements behind
 * the cache's chunk size and hashing choices (workers/cache/bundleStore.ts DEFAULT_CHUNK_BYTES). Returns MB/s
 * figures; asserts nothing.
 */
import { createStore, delMany, get, getMany, setMany } from 'idb-keyval';
import { createBundleStore, fromIdbKeyval, type BundleStore } from '../../workers/cache/index';
import { createSha256 } from '../../workers/cache/sha256';

/** The bundle store the app's worker builds, over this page's IndexedDB, fetch, crypto.subtle and storage. */
export function openStore(db: string, chunkBytes?: number): BundleStore {
  return createBundleStore({
    store: fromIdbKeyval(createStore(db, 'kv')),
    fetch: (url, init) => fetch(url, init),
    subtle: crypto.subtle,
    storage: navigator.storage,
    chunkBytes,
    locks: navigator.locks,
  });
}

const MB = 1024 * 1024;
const rate = (bytes: number, ms: number) => Math.round(bytes / MB / (ms / 1000));

function randomBuffer(bytes: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes);
  for (let p = 0; p < bytes; p += 65536) crypto.getRandomValues(out.subarray(p, Math.min(bytes, p + 65536)));
  return out;
}

/** SHA-256 MB/s: the TS hasher fed in pieces of several sizes, and crypto.subtle over the whole buffer. */
export async function benchHash(totalMb = 64): Promise<Record<string, number>> {
  const data = randomBuffer(totalMb * MB);
  const out: Record<string, number> = {};
  createSha256().update(data.subarray(0, 4 * MB)); // warm the JIT
  for (const piece of [64 * 1024, MB, 16 * MB]) {
    const t = performance.now();
    const h = createSha256();
    for (let p = 0; p < data.length; p += piece) h.update(data.subarray(p, p + piece));
    h.digestHex();
    out[`ts-${piece / 1024}KiB-pieces`] = rate(data.length, performance.now() - t);
  }
  const t = performance.now();
  await crypto.subtle.digest('SHA-256', data);
  out['subtle-whole'] = rate(data.length, performance.now() - t);
  return out;
}

/** IndexedDB write MB/s for Blob chunks of several sizes (one setMany per chunk, as the store does). */
export async function benchIdbWrites(totalMb = 128): Promise<Record<string, number>> {
  const store = createStore('bench-writes', 'kv');
  const data = randomBuffer(64 * MB);
  const out: Record<string, number> = {};
  for (const chunkMb of [1, 4, 16, 64]) {
    const keys: IDBValidKey[] = [];
    const t = performance.now();
    for (let i = 0; i < totalMb / chunkMb; i++) {
      const bytes = data.subarray(((i * chunkMb) % 64) * MB, (((i * chunkMb) % 64) + chunkMb) * MB);
      keys.push(['chunk', chunkMb, i]);
      await setMany(
        [
          [['chunk', chunkMb, i], new Blob([bytes])],
          [['file', chunkMb], { loaded: i }],
        ],
        store,
      );
    }
    out[`write-${chunkMb}MiB-chunks`] = rate(totalMb * MB, performance.now() - t);
    await delMany(keys, store);
  }
  return out;
}

/** addBundle end to end from the local server (fetch → chunks → hash → IndexedDB), then a read back. */
export async function benchAddBundle(url: string, chunkBytes: number, db: string): Promise<Record<string, number>> {
  const store = openStore(db, chunkBytes);
  const t = performance.now();
  const info = await store.addBundle({ kind: 'url', url }, () => undefined);
  const addMs = performance.now() - t;
  const r = performance.now();
  let read = 0;
  for (const f of info.files) {
    const blob = await store.getFile(info.id, f.path);
    try {
      const reader = blob.stream().getReader();
      for (let x = await reader.read(); !x.done; x = await reader.read()) read += x.value.length;
    } catch (e) {
      throw new Error(`reading back ${f.path} (${blob.size} bytes) after ${read} bytes: ${String(e)}`);
    }
  }
  return { add: rate(info.totalBytes, addMs), readBack: rate(read, performance.now() - r), chunkMiB: chunkBytes / MB };
}

/** Adds the bundle at `url` and nothing else (for {@link probeChunks}); 'ok' or the error. */
export async function addBundle(url: string, chunkBytes: number, db: string): Promise<string> {
  return openStore(db, chunkBytes)
    .addBundle({ kind: 'url', url }, () => undefined)
    .then(
      () => 'ok',
      (e: unknown) => String(e),
    );
}

/** Diagnostic: reads each stored chunk of a file on its own; returns the first failure. */
export async function probeChunks(db: string, id: string, path: string): Promise<string> {
  const store = createStore(db, 'kv');
  const rec = await get<{ chunks: number }>(['file', id, path], store);
  if (!rec) return 'no file record (deleted as unreadable)';
  const chunks = await getMany(
    Array.from({ length: rec.chunks }, (_, i) => ['chunk', id, path, i]),
    store,
  );
  const out: string[] = [`chunks=${rec.chunks}`];
  for (const [i, c] of chunks.entries()) {
    const first = await (c as Blob)
      .slice(0, 1)
      .arrayBuffer()
      .then(
        () => 'ok',
        (e) => String(e).split(':')[0],
      );
    const whole = await (c as Blob).arrayBuffer().then(
      () => 'ok',
      (e) => String(e).split(':')[0],
    );
    if (first !== 'ok' || whole !== 'ok') out.push(`chunk ${i}: 1-byte ${first}, whole ${whole}`);
  }
  try {
    await new Blob(chunks as Blob[]).arrayBuffer();
    out.push('concat ok');
  } catch (e) {
    out.push(`concat: ${String(e)}`);
  }
  return out.join('; ');
}
