/** @file The weight cache: bundles downloaded or imported into IndexedDB as verified, resumable chunk Blobs. */
export { createBundleStore, DEFAULT_CHUNK_BYTES } from './bundleStore';
export { readManifestText } from './readManifest';
export type { BundleStore, BundleStoreDeps, LockLike, StorageLike } from './bundleStore';
export { createMemoryStore, fromIdbKeyval } from './kvStore';
export type { KeyValueStore, MemoryStoreOptions } from './kvStore';
export { createSha256 } from './sha256';
export type { Sha256, Sha256State } from './sha256';
