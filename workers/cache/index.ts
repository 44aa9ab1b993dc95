/** @file The weight cache: bundles downloaded or imported into IndexedDB as verified, resumable chunk Blobs. */
export { createBundleStore } from './bundleStore';
export type { BundleStore, StorageLike } from './bundleStore';
export { createMemoryStore, fromIdbKeyval, openBundleKv } from './kvStore';
