/** @file The weight cache: bundles downloaded or imported into IndexedDB as verified, resumable chunk Blobs. */
export { createBundleStore } from './bundleStore';
export type { BundleStore } from './bundleStore';
export type { StorageLike } from './storageRoom';
export { createMemoryStore, fromIdbKeyval, openBundleKv } from './kvStore';
