/**
 * @file The app-level half of `npm run bench`: the built app (dist/, `vite preview`, the production headers) in
 * Chromium on its default backend. Loads it once so the embedded bundle is stored, reloads, and times (1) when
 * the model badge turns ready after the page's navigation start, (2) ten edits through the UI: Generate on the
 * first gallery sample's chip, each edit from click to its new turn, measured inside the page.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { preview } from 'vite';
import { REPO_ROOT } from '../convert/paths';
import { CHROMIUM_LAUNCH_OPTIONS } from '../testing/chromium';

export interface AppTiming {
  /** ms from navigation start to the badge naming a ready model, with the bundle already stored. */
  readyMs: number;
  /** Each edit's time through the UI, ms, in order (first after ready = [0]). */
  editMs: number[];
}

/** Waits until the model badge names a model (neither loading nor missing) and returns performance.now(). */
async function waitForReady(page: Page): Promise<number> {
  const handle = await page.waitForFunction(
    () => {
      const pill = document.querySelector('[data-testid="model-status"]');
      const ready = pill && !pill.classList.contains('loading') && !pill.classList.contains('none');
      return ready ? performance.now() : false;
    },
    undefined,
    { polling: 'raf', timeout: 300_000 },
  );
  return (await handle.jsonValue()) as number;
}

/** One Generate, from the click to the new turn in the history, timed in the page. */
async function timeEdit(page: Page): Promise<number> {
  const turns = await page.getByTestId('turn').count();
  const t0 = await page.evaluate(() => performance.now());
  await page.getByTestId('generate').click();
  const handle = await page.waitForFunction(
    (n) => (document.querySelectorAll('[data-testid="turn"]').length > n ? performance.now() : false),
    turns,
    { polling: 'raf', timeout: 300_000 },
  );
  return ((await handle.jsonValue()) as number) - t0;
}

/** null when there is no built app (dist/): run `npx vite build` first. */
export async function measureApp(edits = 10): Promise<AppTiming | null> {
  if (!existsSync(join(REPO_ROOT, 'dist/index.html'))) return null;
  const server = await preview({
    root: REPO_ROOT,
    configFile: join(REPO_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { port: 0, host: '127.0.0.1' },
  });
  const origin = server.resolvedUrls!.local[0]!;
  const browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(origin);
    await waitForReady(page); // the first visit stores the embedded bundle
    await page.waitForTimeout(2000); // let the service worker and the first warm-up settle
    await page.reload();
    const readyMs = await waitForReady(page);
    await page.getByTestId('sample').first().locator('.chip').first().click();
    const editMs: number[] = [];
    for (let i = 0; i < edits; i++) editMs.push(await timeEdit(page));
    return { readyMs, editMs };
  } finally {
    await browser.close();
    await new Promise<void>((resolve, reject) => server.httpServer.close((e) => (e ? reject(e) : resolve())));
  }
}
