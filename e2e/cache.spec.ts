/**
 * The weight cache (workers/cache) against real Chromium APIs: IndexedDB through idb-keyval, fetch,
 * crypto.subtle and navigator.storage. The page imports the real module through Vite (tools/testing/devServer.ts,
 * its own port); bundles come from tools/testing/bundleServer.ts on the same origin, which counts requests and can
 * cut, corrupt or 404 a file. The figures behind the chunk size are a benchmark, not a test: `npm run bench:cache`.
 */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { createBundleServer, type BundleServer } from '../tools/testing/bundleServer';
import { startTestServer, TEST_PAGE, type TestServer } from '../tools/testing/devServer';
import { writeTestBundle, type WrittenBundle } from './cache/fixtures';
import type * as Harness from './cache/harness';
import type { HarnessOptions, Outcome } from './cache/harness';
import { REPO_ROOT } from './models';

declare global {
  interface Window {
    cacheHarness: typeof Harness;
  }
}

const ROOT = join(REPO_ROOT, '.cache', 'e2e', 'cache-bundles');
const PREFIX = '/e2e-bundles/';
const CHUNK = 64 * 1024;
const URL_GOOD = `${PREFIX}good/`;

let server: TestServer;
let bundles: BundleServer;
let good: WrittenBundle;

test.describe.configure({ timeout: 60_000 });

test.beforeAll(async () => {
  good = writeTestBundle(join(ROOT, 'good'), 'e2e-good');
  writeTestBundle(join(ROOT, 'v2'), 'e2e-v2', 2);
  bundles = createBundleServer(ROOT, PREFIX);
  server = await startTestServer(REPO_ROOT, bundles);
});

test.afterAll(async () => {
  await server?.close();
});

test.beforeEach(() => bundles.reset());

/** Opens the test page and imports the harness (and through it workers/cache) via Vite. */
async function openHarness(page: Page): Promise<void> {
  await page.goto(server.origin + TEST_PAGE);
  await page.evaluate('import("/e2e/cache/harness.ts").then((m) => { window.cacheHarness = m; })');
}

const options = (db: string, extra: Partial<HarnessOptions> = {}): HarnessOptions => ({
  db,
  chunkBytes: CHUNK,
  ...extra,
});
const add = (page: Page, o: HarnessOptions, url: string | null = URL_GOOD): Promise<Outcome> =>
  page.evaluate(([o, url]) => window.cacheHarness.add(o, url), [o, url] as const);
const starts = (path: string) => bundles.listRequests('good', path).map((r) => r.start);
const dataRequests = () => bundles.requests.filter((r) => r.path !== 'manifest.json');

async function expectStoredIntact(page: Page, o: HarnessOptions): Promise<void> {
  expect(await page.evaluate(([o, id]) => window.cacheHarness.hashStoredFiles(o, id), [o, good.id] as const)).toEqual(
    good.sha256,
  );
}

test('downloads a bundle into IndexedDB as chunk Blobs; what it reads back hashes right', async ({ page }) => {
  await openHarness(page);
  const o = options('download');
  const outcome = await add(page, o);
  expect(outcome).toMatchObject({
    ok: true,
    info: { id: 'e2e-good', complete: true, totalBytes: good.totalBytes, embedded: false },
  });
  await expectStoredIntact(page, o);
  expect(dataRequests().map((r) => r.path)).toEqual(['graph.onnx', 'w0.onnx.data', 'w1.onnx.data', 'tokenizer.json']);
  const keys = await page.evaluate((o) => window.cacheHarness.listKeys(o), o);
  expect(keys.filter((k) => Array.isArray(k) && k[0] === 'chunk' && k[2] === 'w1.onnx.data')).toHaveLength(
    Math.ceil(400_003 / CHUNK),
  );
  const storage = await page.evaluate((o) => window.cacheHarness.getStorageInfo(o), o);
  expect(storage.quota).toBeGreaterThan(0);
  expect(storage.usage).toBeGreaterThan(0);
  // adding it again only reads the manifest
  expect((await add(page, o)).ok).toBe(true);
  expect(dataRequests()).toHaveLength(4);
});

test('a download cut mid-file resumes at the stored byte without refetching verified files', async ({ page }) => {
  await openHarness(page);
  const o = options('cut');
  bundles.faults.set('good/w1.onnx.data', { cutAfter: 150_000 });
  const cut = await add(page, o);
  expect(cut).toMatchObject({ ok: false, code: 'network', message: expect.stringContaining('"w1.onnx.data"') });
  bundles.faults.clear();
  expect((await add(page, o)).ok).toBe(true);
  expect(starts('graph.onnx')).toEqual([0]);
  expect(starts('w0.onnx.data')).toEqual([0]);
  const w1 = starts('w1.onnx.data');
  expect(w1).toHaveLength(2);
  expect(w1[1]).toBeGreaterThanOrEqual(2 * CHUNK); // whole chunks (and the tail that arrived) were kept
  expect(w1[1]).toBeLessThanOrEqual(150_000);
  await expectStoredIntact(page, o);
});

test('a page reload in the middle of a file, then adding again, resumes', async ({ page }) => {
  await openHarness(page);
  const o = options('reload');
  bundles.faults.set('good/w1.onnx.data', { delayMs: 40 });
  await page.evaluate(([o, url]) => window.cacheHarness.start(o, url), [o, URL_GOOD] as const);
  // 200 kB of w1 reported means its chunks 0-2 are committed to IndexedDB
  await expect
    .poll(
      async () => {
        const { last } = await page.evaluate(() => window.cacheHarness.readProgress());
        return last?.find((f) => f.path === 'w1.onnx.data')?.loaded ?? 0;
      },
      { timeout: 30_000, intervals: [50] },
    )
    .toBeGreaterThanOrEqual(200_000);
  await page.reload();
  bundles.faults.clear();
  await page.evaluate('import("/e2e/cache/harness.ts").then((m) => { window.cacheHarness = m; })');
  const listed = await page.evaluate((o) => window.cacheHarness.listBundles(o), o);
  expect(listed).toMatchObject([{ id: 'e2e-good', complete: false }]);
  expect(listed[0]!.files.map((f) => f.state)).toEqual(['verified', 'verified', 'pending', 'pending']);
  expect((await add(page, o)).ok).toBe(true);
  expect(starts('graph.onnx')).toEqual([0]);
  expect(starts('w0.onnx.data')).toEqual([0]);
  const w1 = starts('w1.onnx.data');
  expect(w1).toHaveLength(2);
  expect(w1[1]).toBeGreaterThanOrEqual(3 * CHUNK);
  await expectStoredIntact(page, o);
});

test('a corrupted file is rejected with hash-mismatch, deleted, and refetched on retry', async ({ page }) => {
  await openHarness(page);
  const o = options('corrupt');
  bundles.faults.set('good/w0.onnx.data', { corrupt: true });
  const bad = await add(page, o);
  expect(bad).toMatchObject({
    ok: false,
    code: 'hash-mismatch',
    message: expect.stringContaining('"w0.onnx.data" does not match the manifest'),
  });
  const keys = await page.evaluate((o) => window.cacheHarness.listKeys(o), o);
  expect(keys.filter((k) => Array.isArray(k) && k[2] === 'w0.onnx.data')).toEqual([]);
  bundles.faults.clear();
  expect((await add(page, o)).ok).toBe(true);
  expect(starts('w0.onnx.data')).toEqual([0, 0]);
  expect(starts('graph.onnx')).toEqual([0]);
  await expectStoredIntact(page, o);
});

test('too little space is refused with quota before any file byte is fetched', async ({ page }) => {
  await openHarness(page);
  const bad = await add(page, options('quota', { freeBytes: 100_000 }));
  expect(bad).toMatchObject({
    ok: false,
    code: 'quota',
    message: expect.stringMatching(/needs \d+ KB more storage, but .* only 98 KB more/),
  });
  expect(bundles.requests.map((r) => r.path)).toEqual(['manifest.json']);
  expect(await page.evaluate((o) => window.cacheHarness.listBundles(o), options('quota'))).toEqual([]);
});

test('a missing file and an unknown manifest version give clear errors', async ({ page }) => {
  await openHarness(page);
  bundles.faults.set('good/tokenizer.json', { status: 404 });
  expect(await add(page, options('missing'))).toMatchObject({
    ok: false,
    code: 'not-found',
    message: expect.stringContaining('no file "tokenizer.json" (HTTP 404'),
  });
  const v2 = await add(page, options('version'), `${PREFIX}v2/`);
  expect(v2).toMatchObject({
    ok: false,
    code: 'bad-manifest',
    message: expect.stringContaining('format version 2 is not supported'),
  });
  expect(bundles.listRequests('v2', 'graph.onnx')).toEqual([]);
});

test('cancel stops cleanly; a picked folder (directory input) finishes the same bundle', async ({ page }) => {
  await openHarness(page);
  const o = options('cancel');
  bundles.faults.set('good/w0.onnx.data', { delayMs: 40 });
  await page.evaluate(([o, url]) => window.cacheHarness.start(o, url), [o, URL_GOOD] as const);
  await expect
    .poll(async () => (await page.evaluate(() => window.cacheHarness.readProgress())).last?.[1]!.loaded ?? 0, {
      intervals: [50],
    })
    .toBeGreaterThan(0);
  await page.evaluate(() => window.cacheHarness.cancel());
  expect(await page.evaluate(() => window.cacheHarness.finish())).toMatchObject({ ok: false, code: 'cancelled' });
  await page.locator('#folder').setInputFiles(good.dir);
  const picked = await add(page, o, null);
  expect(picked).toMatchObject({ ok: true, info: { id: 'e2e-good', complete: true } });
  expect(starts('w1.onnx.data')).toEqual([]); // everything after the cancel came from the folder
  await expectStoredIntact(page, o);
});
