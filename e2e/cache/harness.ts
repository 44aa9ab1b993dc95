/**
 * @file Runs in the test page (imported through Vite): builds the real bundle store over the browser's
 * IndexedDB (idb-keyval), fetch, crypto.subtle and navigator.storage, and reports results as plain data.
 */
import { createStore, keys } from 'idb-keyval';
import type { BundleInfo, FileProgress } from '../../workers/api/jobs';
import { EngineError } from '../../workers/api/errors';
import { createBundleStore, fromIdbKeyval, type BundleStore, type StorageLike } from '../../workers/cache/index';

export interface HarnessOptions {
  /** IndexedDB database name (one per test). */
  db: string;
  chunkBytes: number;
  /** Pretend only this many bytes are free (estimate() lies; everything else is real). */
  freeBytes?: number;
}

export type Outcome = { ok: true; info: BundleInfo } | { ok: false; code: string; message: string };

const progress: FileProgress[][] = [];
let pending: Promise<Outcome> | null = null;
let controller: AbortController | null = null;

/** The bundle store the app's worker would build, over real browser APIs. */
export function openStore(o: HarnessOptions): BundleStore {
  const real = navigator.storage;
  const storage: StorageLike =
    o.freeBytes === undefined
      ? real
      : {
          estimate: async () => {
            const e = await real.estimate();
            return { usage: e.usage, quota: (e.usage ?? 0) + o.freeBytes! };
          },
          persisted: () => real.persisted(),
        };
  return createBundleStore({
    store: fromIdbKeyval(createStore(o.db, 'kv')),
    fetch: (url, init) => fetch(url, init),
    subtle: crypto.subtle,
    storage,
    chunkBytes: o.chunkBytes,
    online: () => navigator.onLine,
    locks: navigator.locks,
  });
}

async function settle(work: Promise<BundleInfo>): Promise<Outcome> {
  try {
    return { ok: true, info: await work };
  } catch (e) {
    return e instanceof EngineError
      ? { ok: false, code: e.code, message: e.message }
      : { ok: false, code: 'foreign', message: String(e) };
  }
}

/** Starts adding the bundle at `url` (or the picked folder when url is null); {@link finish} awaits it. */
export function start(o: HarnessOptions, url: string | null): void {
  controller = new AbortController();
  const input = document.getElementById('folder') as HTMLInputElement;
  const source = url === null ? { kind: 'files' as const, files: [...input.files!] } : { kind: 'url' as const, url };
  pending = settle(openStore(o).addBundle(source, (f) => progress.push(f), controller.signal));
}

export const finish = (): Promise<Outcome> => pending!;
export const cancel = (): void => controller!.abort();
export const add = (o: HarnessOptions, url: string | null): Promise<Outcome> => (start(o, url), finish());

/** The latest progress report, and how many there were. */
export const readProgress = () => ({ count: progress.length, last: progress.at(-1) ?? null });

/** sha256 (crypto.subtle) of each stored file of a bundle, read back as the engine would. */
export async function hashStoredFiles(o: HarnessOptions, id: string): Promise<Record<string, string>> {
  const store = openStore(o);
  const out: Record<string, string> = {};
  for (const f of (await store.getManifest(id)).files) {
    const digest = await crypto.subtle.digest('SHA-256', await (await store.getFile(id, f.path)).arrayBuffer());
    out[f.path] = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }
  return out;
}

/** Every key in the database, for layout assertions. */
export const listKeys = async (o: HarnessOptions): Promise<IDBValidKey[]> => keys(createStore(o.db, 'kv'));
export const listBundles = (o: HarnessOptions) => openStore(o).listBundles();
export const getStorageInfo = (o: HarnessOptions) => openStore(o).getStorageInfo();
