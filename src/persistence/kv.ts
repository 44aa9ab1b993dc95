/**
 * @file The key-value stores sessions live in. IndexedDB through idb-keyval in the app (one database per
 * store, so each can be created on its own), a Map in tests. IndexedDB keeps Blobs natively.
 */
import { clear, createStore, del, get, keys, set, type UseStore } from 'idb-keyval';

export interface KeyValue {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
  clear(): Promise<void>;
}

/** An in-memory store (tests, and a fallback where IndexedDB is unavailable). */
export function createMemoryKv(): KeyValue & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return {
    map,
    get: async <T>(key: string) => map.get(key) as T | undefined,
    set: async (key, value) => void map.set(key, value),
    del: async (key) => void map.delete(key),
    keys: async () => [...map.keys()],
    clear: async () => map.clear(),
  };
}

/** A store in its own IndexedDB database `kontext-studio-<name>`. */
export function createIdbKv(name: string): KeyValue {
  const store: UseStore = createStore(`kontext-studio-${name}`, name);
  return {
    get: (key) => get(key, store),
    set: (key, value) => set(key, value, store),
    del: (key) => del(key, store),
    keys: async () => (await keys(store)).map(String),
    clear: () => clear(store),
  };
}
