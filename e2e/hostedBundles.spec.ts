/**
 * Bundles hosted on another site (#13 item 4), in the built app under its real CSP and COEP: two more local origins
 * (ports E2E_PORT + 10 and + 11) stand in for a model host. Both serve the same folders through
 * tools/testing/bundleServer.ts (Range, cuts, faults): `/cors/…` with Access-Control-Allow-Origin, `/plain/…`
 * without, and `/moved/…` answers 302 to the second origin's `/cors/…`, as Hugging Face's resolve/main/ redirects
 * to its CDN. Content-Range is not exposed, like most hosts: resuming relies on Content-Length.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createBundleServer, type BundleServer } from '../tools/testing/bundleServer';
import { writeTestBundle } from './cache/fixtures';
import { openEditorWithModel, saveScreenshot, useBackend } from './editor/app';
import { EDIT_TIMEOUT, generate } from './editor/engine';
import { REPO_ROOT } from './models';

const ROOT = join(REPO_ROOT, '.cache', 'e2e', 'hosted-bundles');
const APP_PORT = Number(process.env.E2E_PORT ?? 4173);
const HUB = `http://127.0.0.1:${APP_PORT + 10}`;
const CDN = `http://127.0.0.1:${APP_PORT + 11}`;
const MICRO_ID = 'kontext-micro-hosted';
/** The app's chunk size (workers/cache/bundleStore.ts): a cut keeps at least the whole chunks before it. */
const APP_CHUNK = 16 * 1024 * 1024;

let bundles: BundleServer;
let servers: Server[] = [];
/** Which origin each bundle request reached, in order. */
const seen: { origin: string; url: string }[] = [];

/** The built-in bundle under another id (files linked, not copied), so adding it is a real download. */
function writeHostedMicro(): void {
  const from = join(REPO_ROOT, 'public', 'bundles', 'kontext-micro');
  const dir = join(ROOT, 'micro');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(from)) if (f !== 'manifest.json') symlinkSync(join(from, f), join(dir, f));
  const manifest = JSON.parse(readFileSync(join(from, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ ...manifest, id: MICRO_ID, name: 'kontext-micro hosted' }),
  );
}

/** One model-host origin: `/cors/`, `/plain/` and (with `redirectTo`) `/moved/` over the shared bundle server. */
function startOrigin(origin: string, redirectTo?: string): Promise<void> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const [, mode, rest] = /^\/(cors|plain|moved)\/(.*)$/.exec(req.url ?? '') ?? [];
    seen.push({ origin, url: req.url ?? '' });
    if (mode !== 'plain') res.setHeader('Access-Control-Allow-Origin', '*');
    if (mode === 'moved' && redirectTo) {
      res.writeHead(302, { Location: `${redirectTo}/cors/${rest}` }).end();
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Headers': 'Range' }).end();
      return;
    }
    req.url = `/files/${rest}`;
    if (!mode || !bundles.handle(req, res)) res.writeHead(404).end();
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(Number(new URL(origin).port), '127.0.0.1', resolve));
}

test.beforeAll(async () => {
  writeTestBundle(join(ROOT, 'good'), 'e2e-hosted');
  writeHostedMicro();
  bundles = createBundleServer(ROOT, '/files/');
  await startOrigin(HUB, CDN);
  await startOrigin(CDN);
});

test.afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

test.beforeEach(() => {
  bundles.reset();
  seen.length = 0;
});

async function openModels(page: Page): Promise<void> {
  await openEditorWithModel(page);
  await page.getByRole('tab', { name: 'Models' }).click();
}

async function addUrl(page: Page, url: string): Promise<void> {
  await page.getByLabel('Bundle URL').fill(url);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
}

const card = (page: Page, id: string) => page.locator(`[data-testid="bundle"][data-bundle-id="${id}"]`);
const failedDownload = (page: Page) => page.locator('[data-testid="download"][data-state="failed"]');

test('a bundle from another origin with CORS downloads, resumes after a cut mid-file, and edits', async ({ page }) => {
  test.setTimeout(EDIT_TIMEOUT + 180_000);
  await openModels(page);
  bundles.faults.set('micro/dit.onnx.data', { cutAfter: 20_000_000 });
  await addUrl(page, `${HUB}/cors/micro/`);
  const hosted = card(page, MICRO_ID);
  await expect(hosted.getByTestId('download-error')).toContainText('The download broke off', { timeout: 120_000 });
  await expect(hosted.getByTestId('download-error')).toContainText('"dit.onnx.data"');
  bundles.faults.clear();
  await hosted.getByRole('button', { name: 'Retry' }).click();
  await expect(hosted.locator('.status')).toHaveText('Ready', { timeout: 120_000 });
  const starts = bundles.listRequests('micro', 'dit.onnx.data').map((r) => r.start);
  expect(starts).toHaveLength(2);
  expect(starts[1]).toBeGreaterThanOrEqual(APP_CHUNK); // resumed, not refetched: the stored chunk was kept
  expect(starts[1]).toBeLessThanOrEqual(20_000_000);
  // a 206 it could not trust would have been refetched from 0 (a third request) or failed the sha256 check
  expect(bundles.listRequests('micro', 'ae_decoder.onnx.data').map((r) => r.start)).toEqual([0]);

  await hosted.getByRole('button', { name: 'Use for edits' }).click();
  await expect(hosted.locator('.status')).toHaveText('In use');
  await useBackend(page, 'wasm');
  await page.getByRole('button', { name: 'Open sample: Circle, star and square' }).click();
  await generate(page, 'make the background yellow');
});

test('the same host without CORS headers says so, offline says offline; failed entries are removed or retried in place', async ({
  page,
}, testInfo) => {
  await openModels(page);
  await addUrl(page, `${HUB}/plain/good/`);
  const failed = failedDownload(page);
  await expect(failed.getByTestId('download-error')).toContainText('Access-Control-Allow-Origin');
  await expect(failed.getByTestId('download-error')).toContainText('Add from a folder');
  expect(seen.map((s) => s.url)).toEqual(['/plain/good/manifest.json']); // it reached the server: CSP let it out
  await saveScreenshot(page, testInfo, 'hosted-cors-error');
  await failed.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('download')).toHaveCount(0);
  await expect(card(page, 'e2e-hosted')).toHaveCount(0);

  await page.context().setOffline(true);
  await addUrl(page, `${HUB}/cors/good/`);
  await expect(failed.getByTestId('download-error')).toContainText('This device is offline');
  await page.context().setOffline(false);
  await failed.getByRole('button', { name: 'Retry' }).click();
  await expect(card(page, 'e2e-hosted').locator('.status')).toHaveText('Ready');
});

test('404 and 401 each say what to do; a retry follows the 302 to the file host', async ({ page }) => {
  await openModels(page);
  await addUrl(page, `${HUB}/cors/nothing/`);
  await expect(failedDownload(page).getByTestId('download-error')).toContainText('HTTP 404');
  await expect(failedDownload(page).getByTestId('download-error')).toContainText('holds manifest.json');
  await failedDownload(page).getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('download')).toHaveCount(0);

  bundles.faults.set('good/manifest.json', { status: 401 });
  await addUrl(page, `${HUB}/moved/good/`);
  await expect(failedDownload(page).getByTestId('download-error')).toContainText('gated');
  await expect(failedDownload(page).getByTestId('download-error')).toContainText('accept its licence');
  bundles.faults.clear();
  seen.length = 0;
  await failedDownload(page).getByRole('button', { name: 'Retry' }).click();
  await expect(card(page, 'e2e-hosted').locator('.status')).toHaveText('Ready');
  await expect(page.getByTestId('download')).toHaveCount(0);
  // every file was asked of the hub and served by the CDN it redirected to
  const files = ['manifest.json', 'graph.onnx', 'w0.onnx.data', 'w1.onnx.data', 'tokenizer.json'];
  expect(seen.filter((s) => s.origin === HUB).map((s) => s.url)).toEqual(files.map((f) => `/moved/good/${f}`));
  expect(seen.filter((s) => s.origin === CDN).map((s) => s.url)).toEqual(files.map((f) => `/cors/good/${f}`));
});
