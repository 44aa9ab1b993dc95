/**
 * @file The IndexedDB stores the engine's workers share: the bundle store, and where the engine notes the bundle it
 * opened last (readBundleAhead reads it on the next start).
 */
import { createStore, get, set } from 'idb-keyval';
import { EMBEDDED_BUNDLE_PATH } from './api/jobs';
import type { LastBundleStore } from './bundleReads';
import { createBundleStore, openBundleKv, type BundleStore } from './cache';

/** The browser's bundle store, as a worker of this app opens it. */
export function openWorkerBundleStore(): BundleStore {
  const appBase = new URL(import.meta.env.BASE_URL, self.location.origin);
  return createBundleStore({
    store: openBundleKv(),
    fetch: self.fetch.bind(self),
    subtle: self.crypto.subtle,
    storage: self.navigator.storage,
    embeddedUrl: new URL(EMBEDDED_BUNDLE_PATH, appBase).href,
    online: () => self.navigator.onLine, // tells "offline" from a server that refuses us
    locks: self.navigator.locks, // one download of a bundle at a time, across tabs
  });
}

/** Where the engine notes the bundle it opened last. */
export function openLastBundleStore(): LastBundleStore {
  const store = createStore('kontext-engine', 'state');
  return {
    get: async () => (await get<string>('last-bundle', store)) ?? null,
    set: (id) => set('last-bundle', id, store),
  };
}
