/**
 * @file The tiny key-value interface the bundle store writes through, with the idb-keyval adapter the worker
 * uses and an in-memory one for Node tests. Keys are IndexedDB keys (arrays allowed); values are
 * structured-clonable (Blobs included).
 */
import { createStore, delMany, getMany, keys, setMany, type UseStore } from 'idb-keyval';

export interface KeyValueStore {
  getMany<T>(keys: IDBValidKey[]): Promise<(T | undefined)[]>;
  /** Writes all entries in one transaction: all or none. */
  setMany(entries: [IDBValidKey, unknown][]): Promise<void>;
  delMany(keys: IDBValidKey[]): Promise<void>;
  keys(): Promise<IDBValidKey[]>;
}

/** The browser's bundle store: the engine worker reads it, downloads and the conversion worker write it. */
export const openBundleKv = (): KeyValueStore => fromIdbKeyval(createStore('kontext-bundles', 'files'));

/** Adapts an idb-keyval store (e.g. `createStore('kontext', 'bundles')`) to {@link KeyValueStore}. */
export function fromIdbKeyval(store: UseStore): KeyValueStore {
  return {
    getMany: (k) => getMany(k, store),
    setMany: (entries) => setMany(entries, store),
    delMany: (k) => delMany(k, store),
    keys: () => keys(store),
  };
}

/** Options of the in-memory store: a byte limit that makes writes fail like a full disk does. */
export interface MemoryStoreOptions {
  /** Total Blob bytes the store accepts; a write beyond throws QuotaExceededError. */
  maxBytes?: number;
}

/** An in-memory {@link KeyValueStore} for tests; it counts Blob bytes and can refuse them like IndexedDB. */
export function createMemoryStore(options: MemoryStoreOptions = {}): KeyValueStore & { usedBytes(): number } {
  const map = new Map<string, { key: IDBValidKey; value: unknown }>();
  const id = (k: IDBValidKey) => JSON.stringify(k);
  const sizeOf = (v: unknown) => (v instanceof Blob ? v.size : 0);
  const usedBytes = () => [...map.values()].reduce((s, e) => s + sizeOf(e.value), 0);
  return {
    usedBytes,
    getMany: async <T>(ks: IDBValidKey[]) => ks.map((k) => map.get(id(k))?.value as T | undefined),
    setMany: async (entries) => {
      const added = entries.reduce((s, [k, v]) => s + sizeOf(v) - sizeOf(map.get(id(k))?.value), 0);
      if (options.maxBytes !== undefined && usedBytes() + added > options.maxBytes) {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      for (const [k, v] of entries) map.set(id(k), { key: k, value: v });
    },
    delMany: async (ks) => {
      for (const k of ks) map.delete(id(k));
    },
    keys: async () => [...map.values()].map((e) => e.key),
  };
}
