/**
 * @file Engine and model actions: backend choice, the bundle list, adding (URL or local folder) with
 * per-file progress and resume, delete, select, and storage state.
 */
import {
  describeLimitViolation,
  VRAM_BUDGET_GIB,
  type BackendChoice,
  type BundleInfo,
  type BundleSource,
} from '../../../workers/api';
import { describeEngineError } from '../../engine/messages';
import { preparedKey, selectActiveBundle } from '../selectors';
import { omitKey, type ActionContext } from './context';

export interface ModelActions {
  chooseBackend(choice: BackendChoice): Promise<void>;
  /** Sets the VRAM budget (GiB, null: none) the engine plans for; a value out of range is refused with a notice. */
  setVramBudget(gib: number | null): Promise<void>;
  refreshBundles(): Promise<void>;
  addBundleFromUrl(url: string): Promise<void>;
  addBundleFromFiles(label: string, files: File[]): Promise<void>;
  /** Continues an interrupted download (URL bundles and the embedded one). */
  resumeBundle(id: string): Promise<void>;
  /** Tries a failed download again from the same source, in place (`key` as in `downloads`). */
  retryDownload(key: string): Promise<void>;
  /** Forgets a failed download, and deletes what it stored of its bundle. */
  removeDownload(key: string): Promise<void>;
  deleteBundle(id: string): Promise<void>;
  selectBundle(id: string): void;
  refreshStorage(): Promise<void>;
  requestPersistence(): Promise<void>;
  /**
   * First run: stores the bundle shipped with the app (served from our own origin, so this works offline
   * once the page is cached) and selects it when nothing else is selected. A build without one stays quiet.
   */
  installEmbeddedBundle(): Promise<void>;
}

/** Hosts that plain http may reach (connect-src in vite.config.ts): this computer. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);

/**
 * A Hugging Face page address as its files' address: the repository page (`/user/repo`), a folder (`/tree/<rev>/…`)
 * or a file page (`/blob/<rev>/…`) become `/resolve/<rev>/…`, the URL that serves the bytes (and redirects to the
 * CDN). People copy the page from the address bar; fetching it gives HTML, not a manifest. Returns the new pathname.
 */
function toHuggingFaceFileUrl(url: URL): string {
  if (url.hostname !== 'huggingface.co' && url.hostname !== 'hf.co') return url.pathname;
  const parts = url.pathname.split('/').filter(Boolean);
  const repoLength = parts[0] === 'datasets' || parts[0] === 'spaces' ? 3 : 2;
  if (parts.length < repoLength) return url.pathname;
  const [kind, ...rest] = parts.slice(repoLength);
  const files =
    kind === undefined
      ? ['resolve', 'main']
      : kind === 'tree' || kind === 'blob'
        ? ['resolve', ...rest]
        : [kind, ...rest];
  return `/${[...parts.slice(0, repoLength), ...files].join('/')}`; // the caller adds the folder's '/'
}

/** Checks a bundle URL typed by the user; returns it normalised to end with '/'. */
export function normaliseBundleUrl(input: string, base: string): string {
  const url = new URL(input.trim(), base);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`“${input}” is not a web address (http or https).`);
  // The page's CSP (vite.config.ts) lets plain http reach this computer only; say so instead of "Failed to fetch".
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname))
    throw new Error(`“${input}” uses plain http: use its https:// address (http works only for localhost).`);
  url.hash = '';
  url.pathname = toHuggingFaceFileUrl(url);
  if (url.pathname.endsWith('/manifest.json')) url.pathname = url.pathname.slice(0, -'manifest.json'.length);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

export function createModelActions(ctx: ActionContext<ModelActions>): ModelActions {
  const { get, set, deps } = ctx;
  /** The bundle and backend the engine was last asked to prepare (`id@backend`), so each pair is asked once. */
  let prepared: string | null = null;
  /** The latest of those requests, settled when its warm-up is done (or failed). */
  let preparing: Promise<unknown> = Promise.resolve();
  /** Each download's source, so a failed one can be retried in place (picked Files cannot live in the state). */
  const sources = new Map<string, BundleSource>();

  /**
   * Asks the engine to open the active bundle and run its warm-up edit now, while the user is still choosing an
   * image, so the first edit is as fast as the later ones; the model counts as ready (`preparedBundle`) once it
   * has. Optional for the engine: jobs open their own bundle.
   */
  function prepareActiveBundle(): void {
    const s = get();
    const active = selectActiveBundle(s);
    if (!active || !s.capabilities) return;
    const key = preparedKey(active.id, s.capabilities.backend);
    if (key === prepared) return;
    prepared = key;
    // Only the latest request may say it is done: a backend change or another bundle started a new one.
    const done = () => {
      if (prepared === key) set({ preparedBundle: key });
    };
    preparing = deps.engine.selectBundle(active.id).then(done, () => {
      done(); // not ready, but nothing to wait for: an edit on it reports what is wrong
      prepared = null; // a later refresh may try again
    });
  }

  async function runAdd(key: string, label: string, source: BundleSource): Promise<void> {
    if (get().downloads[key]?.running) return;
    sources.set(key, source);
    const before = new Set((get().bundles ?? []).map((b) => b.id));
    // notice null: the user acted again, so earlier messages (a failed add's long error) leave the screen
    set((s) => ({
      notice: null,
      downloads: {
        ...s.downloads,
        [key]: { ...s.downloads[key], label, error: null, running: true, files: s.downloads[key]?.files ?? [] },
      },
    }));
    let added: BundleInfo | null = null;
    // Ask for persistent storage as a download starts (workers cannot; Chrome decides silently, Firefox asks).
    void deps.requestPersistence?.().catch(() => false);
    try {
      added = await deps.engine.addBundle(source, (files) => {
        set((s) => {
          const download = s.downloads[key];
          return download ? { downloads: { ...s.downloads, [key]: { ...download, files } } } : {}; // ended meanwhile
        });
      });
      sources.delete(key);
      set((s) => ({
        downloads: omitKey(s.downloads, key),
        notice: { severity: 'info', text: `${added!.name} is ready.` },
      }));
    } catch (e) {
      const error = describeEngineError(e);
      set((s) => ({
        downloads: {
          ...s.downloads,
          [key]: { ...s.downloads[key], label, files: s.downloads[key]?.files ?? [], running: false, error },
        },
        notice: { severity: 'error', text: `${label}: ${error}` },
      }));
    }
    await actions.refreshBundles();
    const fresh = [added?.id, ...(get().bundles ?? []).map((b) => b.id).filter((id) => !before.has(id))].filter(
      Boolean,
    ) as string[];
    // A failed download that stored its bundle shows on that bundle's card, with its error and buttons.
    if (fresh.length && get().downloads[key])
      set((s) => ({ downloads: { ...s.downloads, [key]: { ...s.downloads[key]!, bundleId: fresh[0] } } }));
    if (source.kind === 'url' && fresh.length) {
      // Remember where new bundles came from, so "Resume" can continue them after a reload.
      set((s) => ({ bundleUrls: { ...s.bundleUrls, ...Object.fromEntries(fresh.map((id) => [id, source.url])) } }));
    }
    if (added && !get().selectedBundleId && !added.unsupportedReason) set({ selectedBundleId: added.id });
    await actions.refreshStorage();
  }

  const actions: ModelActions = {
    async chooseBackend(choice) {
      set({ backendChoice: choice, engineStarting: true, diagnostics: { ...get().diagnostics, busy: true } });
      prepared = null; // a new backend starts with no sessions
      set({ preparedBundle: null });
      try {
        const capabilities = await deps.engine.init(choice);
        set({ capabilities, notice: null });
      } catch (e) {
        set({ notice: { severity: 'error', text: describeEngineError(e) } });
      } finally {
        set({ engineStarting: false, diagnostics: { ...get().diagnostics, busy: false } });
      }
      await actions.refreshBundles(); // support depends on the backend
    },
    async setVramBudget(gib) {
      const wrong = gib === null ? null : describeLimitViolation('The VRAM budget (GiB)', gib, VRAM_BUDGET_GIB);
      if (wrong) {
        set({ notice: { severity: 'error', text: `${wrong}.` } });
        return;
      }
      try {
        await deps.engine.setMemoryBudget(gib);
        set({ vramBudgetGiB: gib });
      } catch (e) {
        set({ notice: { severity: 'error', text: describeEngineError(e) } });
      }
    },
    async refreshBundles() {
      try {
        set({ bundles: await deps.engine.listBundles() });
      } catch (e) {
        set({ bundles: get().bundles ?? [], notice: { severity: 'error', text: describeEngineError(e) } });
      }
      prepareActiveBundle();
    },
    addBundleFromUrl(input) {
      let url: string;
      try {
        url = normaliseBundleUrl(input, 'https://invalid.invalid/');
        if (url.startsWith('https://invalid.invalid/'))
          throw new Error(`“${input}” is not a full web address; include https://.`);
      } catch (e) {
        set({ notice: { severity: 'error', text: (e as Error).message } });
        return Promise.resolve();
      }
      return runAdd(url, url, { kind: 'url', url });
    },
    addBundleFromFiles(label, files) {
      if (!files.some((f) => f.name === 'manifest.json')) {
        set({
          notice: {
            severity: 'error',
            text: `“${label}” has no manifest.json: pick the bundle's folder (the one that holds manifest.json).`,
          },
        });
        return Promise.resolve();
      }
      return runAdd(`files:${label}`, label, { kind: 'files', files });
    },
    async resumeBundle(id) {
      const s = get();
      const bundle = s.bundles?.find((b) => b.id === id);
      const url = s.bundleUrls[id] ?? (bundle?.embedded && deps.embeddedBundleUrl ? deps.embeddedBundleUrl(id) : null);
      if (!url)
        return set({
          notice: {
            severity: 'error',
            text: 'This bundle came from a local folder: add the same folder again to finish it.',
          },
        });
      await runAdd(url, bundle?.name ?? url, { kind: 'url', url });
    },
    async retryDownload(key) {
      const download = get().downloads[key];
      const source = sources.get(key) ?? (download && /^https?:/.test(key) ? { kind: 'url' as const, url: key } : null);
      if (!download || download.running) return;
      if (!source)
        return set({
          notice: { severity: 'error', text: `Add the folder “${download.label}” again to finish it.` },
        });
      await runAdd(key, download.label, source);
    },
    async removeDownload(key) {
      const download = get().downloads[key];
      if (!download || download.running) return;
      sources.delete(key);
      set((s) => ({ downloads: omitKey(s.downloads, key), notice: null })); // its error toast goes with it
      if (download.bundleId) await actions.deleteBundle(download.bundleId);
    },
    async deleteBundle(id) {
      try {
        const name = get().bundles?.find((b) => b.id === id)?.name;
        await deps.engine.deleteBundle(id);
        const stale = Object.entries(get().downloads).filter(
          ([, d]) => !d.running && (d.bundleId === id || d.label === name),
        );
        for (const [key] of stale) sources.delete(key);
        set((s) => ({
          bundleUrls: omitKey(s.bundleUrls, id),
          selectedBundleId: s.selectedBundleId === id ? null : s.selectedBundleId,
          downloads: stale.reduce((all, [key]) => omitKey(all, key), s.downloads),
        }));
      } catch (e) {
        set({ notice: { severity: 'error', text: describeEngineError(e) } });
      }
      await actions.refreshBundles();
      await actions.refreshStorage();
    },
    selectBundle(id) {
      set({ selectedBundleId: id });
      prepareActiveBundle();
    },
    async refreshStorage() {
      try {
        set({ storage: await deps.engine.getStorageInfo() });
      } catch {
        set({ storage: null }); // shown as "unknown"; not worth an error notice
      }
    },
    async installEmbeddedBundle() {
      const installed = (get().bundles ?? []).find((b) => b.embedded)?.complete === true;
      // With a copy stored, the re-check waits for the model being prepared: both read IndexedDB on the engine's
      // thread, and the warm-up is what the user is waiting for.
      if (installed) await preparing;
      // Every boot, not just the first: a new version of the app may ship new weights or sampler settings for the
      // built-in model. The engine keeps every stored file whose sha256 still matches and fetches only the rest.
      try {
        await deps.engine.addBundle({ kind: 'embedded' }, (files) => {
          if (files.every((f) => f.state === 'verified')) return; // nothing to fetch: no download to show
          set((s) => ({
            downloads: { ...s.downloads, embedded: { label: 'kontext-micro', files, error: null, running: true } },
          }));
        });
      } catch (e) {
        const engineError = e as { code?: string; message?: string };
        const noneShipped = engineError.code === 'not-found' && /no manifest\.json/i.test(engineError.message ?? '');
        // With a complete copy stored (offline, another tab busy with it) the app keeps editing with that copy.
        if (!noneShipped && !installed)
          set({
            notice: { severity: 'error', text: `The built-in model could not be installed: ${describeEngineError(e)}` },
          });
      } finally {
        set((s) => ({ downloads: omitKey(s.downloads, 'embedded') }));
      }
      await actions.refreshBundles();
      const ready = (get().bundles ?? []).find((b) => b.embedded && b.complete && !b.unsupportedReason);
      if (ready && !get().selectedBundleId) set({ selectedBundleId: ready.id });
      set({ embeddedChecked: true });
    },
    async requestPersistence() {
      if (!deps.requestPersistence) return;
      const granted = await deps.requestPersistence().catch(() => false);
      set({
        notice: {
          // Declined is not a failure, but stored models and sessions may be evicted: worth reading before it fades.
          severity: granted ? 'info' : 'warning',
          text: granted
            ? 'The browser will keep your models and sessions when space runs low.'
            : 'The browser declined to make storage persistent (it may grant it after more visits, or if the app is installed).',
        },
      });
      await actions.refreshStorage();
    },
  };
  return actions;
}
