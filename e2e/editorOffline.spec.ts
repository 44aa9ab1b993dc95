import { expect, test } from '@playwright/test';
import { openEditor, openEditorWithModel, saveScreenshot } from './editor/app';
import { generate } from './editor/engine';

test.use({ viewport: { width: 1440, height: 900 }, serviceWorkers: 'allow' }); // the config blocks it elsewhere

test('after one online visit the app loads offline, cross-origin isolated, with the engine', async ({
  page,
  context,
}, testInfo) => {
  test.setTimeout(300_000);
  await openEditor(page);
  await openEditorWithModel(page); // a second load, as before: the page the service worker then controls
  // Wait until the service worker has precached everything and controls the page.
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller)
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    return reg.active?.state;
  });
  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys())
      for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
    return urls;
  });
  // Only the onnxruntime build this browser runs (JSPI in Chromium), and no bundle files: the engine keeps those
  // in IndexedDB, so the precache would store them twice.
  const jspi = await page.evaluate(() => 'Suspending' in WebAssembly);
  const wasm = cached.filter((u) => u.endsWith('.wasm'));
  expect(wasm).toHaveLength(1);
  expect(wasm[0]).toContain(jspi ? '.jspi-' : '.asyncify-');
  expect(cached.filter((u) => u.includes('/bundles/'))).toEqual([]);
  expect(cached.some((u) => u.endsWith('/index.html'))).toBe(true);
  // The model must be stored before the network goes: it is no longer in the precache.
  await expect(page.getByTestId('model-status')).toContainText('kontext-micro', { timeout: 120_000 }); // not 'Loading model…'

  // navigator.onLine is unreliable on service-worker pages (crbug 678075): probe the network itself.
  const probe = () =>
    page.evaluate(() =>
      fetch(`/network-probe-${Math.random()}`, { cache: 'no-store' }).then(
        () => 'reached',
        () => 'offline',
      ),
    );
  expect(await probe()).toBe('reached');
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Kontext Studio' })).toBeVisible();
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  expect(await probe()).toBe('offline');
  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(page.getByTestId('capabilities')).toBeVisible(); // the worker and onnxruntime came from the cache
  await page.getByRole('tab', { name: 'Editor' }).click();
  await page.getByRole('button', { name: 'Open sample: Circle, star and square' }).click();
  await expect(page.getByTestId('turn')).toHaveCount(1);
  await saveScreenshot(page, testInfo, '12-offline');

  // With the engine: an edit works with the network off (the bundle is in IndexedDB).
  await generate(page, 'make the red circle blue');
  await expect(page.getByTestId('turn')).toHaveCount(2);
  await context.setOffline(false);
});

test('installable: a web manifest with icons, served from our origin', async ({ page }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  const manifest = await (await page.request.get(href!)).json();
  expect(manifest).toMatchObject({ name: 'Kontext Studio', display: 'standalone', start_url: '/' });
  for (const icon of manifest.icons as { src: string; sizes: string }[]) {
    const res = await page.request.get(`/${icon.src}`);
    expect(res.ok(), icon.src).toBe(true);
  }
  expect(manifest.icons.map((i: { sizes: string }) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
});
