import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { FileProgress } from '../api/jobs';
import { EngineError } from '../api/errors';
import { manifestToJson } from '../bundle/manifestJson';
import { createBundleStore } from './bundleStore';
import type { StorageLike } from './storageRoom';
import { createMemoryStore, type KeyValueStore } from './kvStore';
import { createFakeServer, makeRandomBytes, makeTestManifest } from './testBundle';

const BASE = 'https://models.example/kontext-test/';
const CHUNK = 64 * 1024;
const SIZES: Record<string, number> = {
  'graph.onnx': 1000,
  'w0.onnx.data': 300_000,
  'w1.onnx.data': 200_000 + 17,
  'tok.json': 0,
};
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** sha256 of a Blob (deep-equal on 300 kB arrays is slow). */
const blobSha = async (b: Blob) => sha(new Uint8Array(await b.arrayBuffer()));

function makeBundle(id = 'test', version = 1) {
  const files = new Map(Object.entries(SIZES).map(([p, n], i) => [p, makeRandomBytes(n, i + 1)]));
  const manifest = makeTestManifest(
    id,
    [...files].map(([path, b]) => ({ path, bytes: b.length, sha256: sha(b) })),
  );
  const json = { ...manifestToJson(manifest), format_version: version };
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(json)));
  return { files, manifest };
}

function setup(opts: { store?: KeyValueStore; storage?: StorageLike | null; subtle?: boolean } = {}) {
  const bundle = makeBundle();
  const server = createFakeServer(BASE, bundle.files);
  const kv = opts.store ?? createMemoryStore();
  const store = createBundleStore({
    store: kv,
    fetch: server.fetch,
    subtle: opts.subtle === false ? null : crypto.subtle,
    storage: opts.storage === undefined ? { estimate: async () => ({ usage: 0, quota: 1e12 }) } : opts.storage,
    chunkBytes: CHUNK,
    progressIntervalMs: 0,
  });
  const progress: FileProgress[][] = [];
  const add = (signal?: AbortSignal) => store.addBundle({ kind: 'url', url: BASE }, (f) => progress.push(f), signal);
  return { bundle, server, kv, store, progress, add };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return `${(e as EngineError).code}: ${(e as Error).message}`;
  }
  throw new Error('expected a rejection');
}
const dataRequests = (s: { requests: { path: string }[] }) => s.requests.filter((r) => r.path !== 'manifest.json');

describe('createBundleStore', () => {
  it.each([true, false])(
    'downloads, verifies and returns every file as chunked Blobs (subtle for one-chunk files: %s)',
    async (subtle) => {
      const t = setup({ subtle });
      const info = await t.add();
      expect(info).toMatchObject({
        id: 'test',
        name: 'Test bundle test',
        complete: true,
        embedded: false,
        totalBytes: 501_017,
      });
      for (const [path, bytes] of t.bundle.files) {
        if (path === 'manifest.json') continue;
        expect(await blobSha(await t.store.getFile('test', path))).toBe(sha(bytes));
      }
      const chunkKeys = (await t.kv.keys()).filter(
        (k) => Array.isArray(k) && k[0] === 'chunk' && k[2] === 'w0.onnx.data',
      );
      expect(chunkKeys).toHaveLength(Math.ceil(300_000 / CHUNK));
      expect(t.server.requests.map((r) => r.path)).toEqual([
        'manifest.json',
        'graph.onnx',
        'w0.onnx.data',
        'w1.onnx.data',
        'tok.json',
      ]);
      expect(await t.store.listBundles()).toEqual([info]);
      expect((await t.store.getManifest('test')).files).toEqual(t.bundle.manifest.files);
      // the last report has every file verified; loaded never goes down within a file
      expect(t.progress.at(-1)!.every((f) => f.state === 'verified' && f.loaded === f.bytes)).toBe(true);
      for (const path of Object.keys(SIZES)) {
        const loaded = t.progress.map((r) => r.find((f) => f.path === path)!.loaded);
        expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
      }
      // adding it again fetches nothing but the manifest
      await t.add();
      expect(dataRequests(t.server)).toHaveLength(4);
    },
  );

  it('resumes a download cut mid-file at the byte where it stopped, without refetching verified files', async () => {
    const t = setup();
    t.server.faults.set('w1.onnx.data', { cutAfter: 150_000 });
    expect(await codeOf(t.add())).toMatch(/^network: Downloading "w1.onnx.data" failed.*Retry to resume/);
    const partial = (await t.store.listBundles())[0]!;
    expect(partial.complete).toBe(false);
    expect(partial.files.map((f) => [f.state, f.loaded])).toEqual([
      ['verified', 1000],
      ['verified', 300_000],
      ['pending', 150_000],
      ['pending', 0],
    ]);
    t.server.faults.clear();
    expect((await t.add()).complete).toBe(true);
    expect(t.server.countRequests('graph.onnx')).toBe(1);
    expect(t.server.countRequests('w0.onnx.data')).toBe(1);
    expect(t.server.requests.filter((r) => r.path === 'w1.onnx.data').map((r) => r.start)).toEqual([0, 150_000]);
    expect(await blobSha(await t.store.getFile('test', 'w1.onnx.data'))).toBe(sha(t.bundle.files.get('w1.onnx.data')!));
  });

  it('resumes correctly from a server that ignores Range (skips the stored bytes)', async () => {
    const t = setup();
    t.server.faults.set('w0.onnx.data', { cutAfter: 100_000 });
    await codeOf(t.add());
    t.server.faults.set('w0.onnx.data', { ignoreRange: true });
    expect((await t.add()).complete).toBe(true);
    expect(await blobSha(await t.store.getFile('test', 'w0.onnx.data'))).toBe(sha(t.bundle.files.get('w0.onnx.data')!));
  });

  it('rejects a corrupted file with hash-mismatch, deletes it, and refetches only it on retry', async () => {
    const t = setup();
    t.server.faults.set('w0.onnx.data', { corrupt: true });
    expect(await codeOf(t.add())).toMatch(/^hash-mismatch: "w0.onnx.data" does not match the manifest/);
    expect(t.progress.at(-1)!.find((f) => f.path === 'w0.onnx.data')).toMatchObject({ state: 'failed', loaded: 0 });
    expect((await t.kv.keys()).filter((k) => Array.isArray(k) && k[2] === 'w0.onnx.data')).toEqual([]);
    t.server.faults.clear();
    expect((await t.add()).complete).toBe(true);
    expect(t.server.requests.filter((r) => r.path === 'w0.onnx.data').map((r) => r.start)).toEqual([0, 0]);
    expect(t.server.countRequests('graph.onnx')).toBe(1);
  });

  it('names a missing file (404), a missing manifest, an unknown version and broken JSON', async () => {
    const t = setup();
    t.server.faults.set('w1.onnx.data', { status: 404 });
    expect(await codeOf(t.add())).toMatch(/^not-found: The bundle at .* has no file "w1.onnx.data" \(HTTP 404/);
    t.server.faults.set('manifest.json', { status: 404 });
    expect(await codeOf(t.add())).toMatch(/^not-found: There is no manifest.json at/);

    const v2 = makeBundle('v2', 2);
    const s2 = createFakeServer(BASE, v2.files);
    const store = createBundleStore({ store: createMemoryStore(), fetch: s2.fetch, subtle: null, storage: null });
    expect(await codeOf(store.addBundle({ kind: 'url', url: BASE }, () => undefined))).toMatch(
      /^bad-manifest: .*format version 2 is not supported/,
    );
    const json = manifestToJson(makeBundle().manifest) as { files: { path: string; role?: string }[] };
    for (const [bad, message] of [
      ['../w0.onnx.data', /must be relative and stay inside/],
      ['w0.onnx.data', /listed twice/],
    ] as const) {
      const copy = structuredClone(json);
      copy.files.push({ ...copy.files[2], path: bad, role: undefined }); // an extra entry, no role: every listed one is referenced
      v2.files.set('manifest.json', new TextEncoder().encode(JSON.stringify(copy)));
      expect(await codeOf(store.addBundle({ kind: 'url', url: BASE }, () => undefined))).toMatch(message);
    }
    v2.files.set('manifest.json', new TextEncoder().encode('{"format": "kontext-bundle",'));
    expect(await codeOf(store.addBundle({ kind: 'url', url: BASE }, () => undefined))).toMatch(
      /^bad-manifest: .*not valid JSON/,
    );
    expect(dataRequests(s2)).toEqual([]);
    expect(await store.listBundles()).toEqual([]);
  });

  it('refuses with quota before fetching any file, counting only what is still missing', async () => {
    let quota = 400_000;
    const t = setup({ storage: { estimate: async () => ({ usage: 100_000, quota }) } });
    expect(await codeOf(t.add())).toMatch(/^quota: This bundle needs 489 KB more storage, but .* only 293 KB more/);
    expect(dataRequests(t.server)).toEqual([]);
    expect(await t.store.listBundles()).toEqual([]);
    // with 300 kB of the 501 kB stored, 201 kB more fits into 300 kB
    quota = 1e12;
    t.server.faults.set('w1.onnx.data', { status: 503 });
    await codeOf(t.add());
    t.server.faults.clear();
    quota = 400_000;
    expect((await t.add()).complete).toBe(true);
  });

  it('turns QuotaExceededError during a write into quota, and resumes once there is room', async () => {
    // room for w1's first chunk but not its second, which fails while the third is filling
    const limits: { maxBytes?: number } = { maxBytes: 400_000 };
    const t = setup({ store: createMemoryStore(limits) });
    expect(await codeOf(t.add())).toMatch(/^quota: The browser's storage is full \(while storing "w1.onnx.data"\)/);
    expect((await t.store.listBundles())[0]!.files.map((f) => f.loaded)).toEqual([1000, 300_000, CHUNK, 0]);
    expect(
      (await t.kv.keys()).filter((k) => Array.isArray(k) && k[0] === 'chunk' && k[2] === 'w1.onnx.data'),
    ).toHaveLength(1);
    limits.maxBytes = undefined;
    expect((await t.add()).complete).toBe(true);
    expect(t.server.countRequests('w0.onnx.data')).toBe(1);
    expect(t.server.requests.filter((r) => r.path === 'w1.onnx.data').map((r) => r.start)).toEqual([0, CHUNK]);
    expect(await blobSha(await t.store.getFile('test', 'w1.onnx.data'))).toBe(sha(t.bundle.files.get('w1.onnx.data')!));
  });

  it('keeps a consistent record when a write fails (the last chunk of a file, or one in flight)', async () => {
    for (const failAt of [4, 2]) {
      // w0's chunks are 0..4: fail its final write, then one that runs while the next fills
      const memory = createMemoryStore();
      let armed = true;
      const flaky: KeyValueStore = {
        ...memory,
        setMany: async (entries) => {
          const chunk = entries.find(
            ([k]) => Array.isArray(k) && k[0] === 'chunk' && k[2] === 'w0.onnx.data' && k[3] === failAt,
          );
          if (chunk && armed) {
            armed = false;
            throw new DOMException('disk hiccup', 'UnknownError');
          }
          return memory.setMany(entries);
        },
      };
      const t = setup({ store: flaky });
      expect(await codeOf(t.add())).toMatch(/^runtime: Downloading "w0.onnx.data" failed \(disk hiccup\)/);
      const stored = (await t.store.listBundles())[0]!.files[1];
      expect(stored).toMatchObject({ state: 'pending', loaded: failAt * CHUNK });
      expect((await t.add()).complete).toBe(true);
      expect(t.server.requests.filter((r) => r.path === 'w0.onnx.data').map((r) => r.start)).toEqual([
        0,
        failAt * CHUNK,
      ]);
      expect(await blobSha(await t.store.getFile('test', 'w0.onnx.data'))).toBe(
        sha(t.bundle.files.get('w0.onnx.data')!),
      );
    }
  });

  it('notices stored Blobs the browser lost, deletes that file and fetches it again', async () => {
    class LostBlob extends Blob {
      override slice(): Blob {
        return new LostBlob();
      }
      override arrayBuffer(): Promise<ArrayBuffer> {
        return Promise.reject(new DOMException('gone', 'NotReadableError'));
      }
    }
    const t = setup();
    await t.add();
    await t.kv.setMany([[['chunk', 'test', 'w0.onnx.data', 2], new LostBlob()]]);
    expect(await codeOf(t.store.getFile('test', 'w0.onnx.data'))).toMatch(
      /^quota: The browser lost the stored data of "w0.onnx.data"/,
    );
    expect((await t.store.listBundles())[0]!.files.map((f) => f.state)).toEqual([
      'verified',
      'pending',
      'verified',
      'verified',
    ]);
    await t.kv.setMany([[['chunk', 'test', 'w1.onnx.data', 0], new LostBlob()]]);
    expect((await t.add()).complete).toBe(true); // both lost files are fetched again, the rest is kept
    expect(dataRequests(t.server).map((r) => r.path)).toEqual([
      'graph.onnx',
      'w0.onnx.data',
      'w1.onnx.data',
      'tok.json',
      'w0.onnx.data',
      'w1.onnx.data',
    ]);
    expect(await blobSha(await t.store.getFile('test', 'w0.onnx.data'))).toBe(sha(t.bundle.files.get('w0.onnx.data')!));
  });

  it('re-adds an unchanged, complete bundle without touching its chunks; a changed manifest is checked in full', async () => {
    const t = setup();
    const first = await t.add();
    const chunkReads = vi.spyOn(t.kv, 'getMany');
    const again = await t.add();
    expect(again).toEqual(first);
    expect(t.progress.at(-1)!.every((f) => f.state === 'verified')).toBe(true); // the caller still hears it
    const readChunkKeys = chunkReads.mock.calls
      .flatMap(([keys]) => keys)
      .filter((k) => Array.isArray(k) && k[0] === 'chunk');
    expect(readChunkKeys).toEqual([]);
    expect(dataRequests(t.server)).toHaveLength(4); // the first add's files only

    // Another manifest text (the same files): the full path, which reads every chunk back.
    const json = JSON.parse(new TextDecoder().decode(t.bundle.files.get('manifest.json')));
    t.bundle.files.set('manifest.json', new TextEncoder().encode(JSON.stringify({ ...json, name: 'Renamed' })));
    expect((await t.add()).name).toBe('Renamed');
    expect(chunkReads.mock.calls.flatMap(([keys]) => keys).some((k) => Array.isArray(k) && k[0] === 'chunk')).toBe(
      true,
    );
  });

  it('cancels cleanly with an AbortSignal and resumes later', async () => {
    const t = setup();
    t.server.faults.set('w0.onnx.data', { delayMs: 5 });
    const controller = new AbortController();
    const pending = t.add(controller.signal);
    await vi.waitFor(() => expect(t.progress.some((r) => r[1]!.loaded > 0)).toBe(true));
    controller.abort();
    expect(await codeOf(pending)).toMatch(/^cancelled:/);
    expect(t.progress.at(-1)![1]!.state).toBe('failed');
    expect(await codeOf(t.add(AbortSignal.abort()))).toMatch(/^cancelled:/);
    t.server.faults.clear();
    expect((await t.add()).complete).toBe(true);
    expect(t.server.countRequests('graph.onnx')).toBe(1);
    const starts = t.server.requests.filter((r) => r.path === 'w0.onnx.data').map((r) => r.start);
    expect(starts).toHaveLength(2);
    expect(starts[1]).toBeGreaterThan(0); // what arrived before the cancel was kept
  });

  it('imports picked files (folder input paths or a flat list), resumes a URL download, names a missing file', async () => {
    const t = setup();
    t.server.faults.set('w1.onnx.data', { cutAfter: 70_000 });
    await codeOf(t.add());
    const picked = [...t.bundle.files].map(([path, bytes]) => {
      const file = new File([bytes], path);
      Object.defineProperty(file, 'webkitRelativePath', { value: `kontext-test/${path}` });
      return file;
    });
    const noTok = picked.filter((f) => f.name !== 'tok.json');
    expect(await codeOf(t.store.addBundle({ kind: 'files', files: noTok }, () => undefined))).toMatch(
      /^bad-input: The picked folder has no "tok.json"/,
    );
    const info = await t.store.addBundle({ kind: 'files', files: picked }, () => undefined);
    expect(info.complete).toBe(true);
    expect((await t.store.listBundles())[0]!.id).toBe('test');
    expect(
      await codeOf(
        t.store.addBundle({ kind: 'files', files: picked.filter((f) => f.name !== 'manifest.json') }, () => undefined),
      ),
    ).toMatch(/^bad-manifest: The picked files contain no manifest.json/);
    const flat = [...t.bundle.files].map(([path, bytes]) => new File([bytes], path));
    const other = createBundleStore({
      store: createMemoryStore(),
      fetch: t.server.fetch,
      subtle: crypto.subtle,
      storage: null,
    });
    expect((await other.addBundle({ kind: 'files', files: flat }, () => undefined)).complete).toBe(true);
  });

  it('drops stored files whose manifest entry changed and keeps the rest', async () => {
    const t = setup();
    await t.add();
    const newBytes = makeRandomBytes(1000, 99);
    t.bundle.files.set('graph.onnx', newBytes);
    const manifest = makeTestManifest(
      'test',
      t.bundle.manifest.files.map((f) => (f.path === 'graph.onnx' ? { ...f, sha256: sha(newBytes) } : f)),
    );
    t.bundle.files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifestToJson(manifest))));
    expect((await t.add()).complete).toBe(true);
    expect(dataRequests(t.server).map((r) => r.path)).toEqual([
      'graph.onnx',
      'w0.onnx.data',
      'w1.onnx.data',
      'tok.json',
      'graph.onnx',
    ]);
    expect(await blobSha(await t.store.getFile('test', 'graph.onnx'))).toBe(sha(newBytes));
  });

  it('deletes a bundle (cancelling its running download) and refuses a second download of the same bundle', async () => {
    const t = setup();
    t.server.faults.set('w0.onnx.data', { delayMs: 5 });
    const first = t.add();
    await vi.waitFor(() => expect(t.progress.length).toBeGreaterThan(1));
    expect(await codeOf(t.add())).toMatch(/^busy: Bundle "test" is already being downloaded/);
    await t.store.deleteBundle('test');
    expect(await codeOf(first)).toMatch(/^cancelled:/);
    expect(await t.kv.keys()).toEqual([]);
    expect(await codeOf(t.store.getFile('test', 'graph.onnx'))).toMatch(
      /^bundle-incomplete: "graph.onnx" of bundle "test" is not stored/,
    );
    expect(await codeOf(t.store.getManifest('test'))).toMatch(/^bundle-not-found: No bundle "test"/);
  });

  it('refuses a download another tab holds the lock for', async () => {
    const held = new Set<string>();
    const locks = {
      async request<T>(name: string, _o: { ifAvailable: true }, cb: (lock: unknown) => Promise<T>): Promise<T> {
        if (held.has(name)) return cb(null);
        held.add(name);
        try {
          return await cb({ name });
        } finally {
          held.delete(name);
        }
      },
    };
    const bundle = makeBundle();
    const server = createFakeServer(BASE, bundle.files);
    const store = createBundleStore({
      store: createMemoryStore(),
      fetch: server.fetch,
      subtle: null,
      storage: null,
      locks,
    });
    held.add('kontext-bundle:test'); // the other tab
    expect(await codeOf(store.addBundle({ kind: 'url', url: BASE }, () => undefined))).toMatch(/^busy: .*another tab/);
    expect(dataRequests(server)).toEqual([]);
    held.clear();
    expect((await store.addBundle({ kind: 'url', url: BASE }, () => undefined)).complete).toBe(true);
    held.add('kontext-bundle:test');
    expect(await codeOf(store.deleteBundle('test'))).toMatch(/^busy: .*another tab; cancel it there first/);
    held.clear();
    await store.deleteBundle('test');
    expect(await store.listBundles()).toEqual([]);
  });

  it('flags the embedded bundle, lists it first, asks for persistence and reports storage', async () => {
    const bundle = makeBundle('other');
    const embedded = makeBundle('micro');
    const a = createFakeServer('https://x/other/', bundle.files);
    const b = createFakeServer('/bundles/kontext-micro/', embedded.files);
    const persist = vi.fn(async () => true);
    const storage = { estimate: async () => ({ usage: 5, quota: 1e9 }), persisted: async () => false, persist };
    const store = createBundleStore({
      store: createMemoryStore(),
      subtle: null,
      storage,
      embeddedUrl: '/bundles/kontext-micro',
      fetch: (u, init) => (u.startsWith('/') ? b.fetch(u, init) : a.fetch(u, init)),
    });
    await store.addBundle({ kind: 'url', url: 'https://x/other/' }, () => undefined);
    await store.addBundle({ kind: 'url', url: '/bundles/kontext-micro/' }, () => undefined);
    // { kind: 'embedded' } goes through the same path
    const again = await store.addBundle({ kind: 'embedded' }, () => undefined);
    expect(again).toMatchObject({ id: 'micro', embedded: true, complete: true });
    expect(b.requests.filter((r) => r.path !== 'manifest.json')).toHaveLength(4);
    expect((await store.listBundles()).map((x) => [x.id, x.embedded])).toEqual([
      ['micro', true],
      ['other', false],
    ]);
    await vi.waitFor(() => expect(persist).toHaveBeenCalled());
    expect(await store.getStorageInfo()).toEqual({ usage: 5, quota: 1e9, persisted: false });
  });
});
