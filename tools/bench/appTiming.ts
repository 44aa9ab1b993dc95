/**
 * @file The app-level half of `npm run bench`: the built app (dist/, `vite preview`, the production headers) in
 * Chromium on its default backend. Loads it once so the embedded bundle is stored, reloads, and times (1) when
 * the model badge turns ready after the page's navigation start (ready = sessions created and warmed up), with the
 * engine worker's own timeline of that load (workers/runtime/timeline.ts: runtime import, each graph's read and
 * session creation, the warm-up edit), (2) ten edits through the UI: Generate on the first gallery sample's chip,
 * each edit from click to its new turn, measured inside the page, started once its input is encoded ahead (as
 * while a user writes the prompt; that wait is reported beside); (3) V8's WebAssembly compile times during the load
 * and the first edit (wasmCompileTrace.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page, type Worker } from '@playwright/test';
import { preview } from 'vite';
import { REPO_ROOT } from '../convert/paths';
import { CHROMIUM_LAUNCH_OPTIONS } from '../testing/chromium';
import { readEngineSpans } from '../testing/engineTimeline';
import { traceWasmCompile, type WasmCompileTime } from './wasmCompileTrace';

export interface AppTiming {
  /** ms from navigation start to the badge naming a ready model, with the bundle already stored (untraced load). */
  readyMs: number;
  /** The same in further fresh browsers, untraced: one load varies by hundreds of ms on this machine. */
  readyAgainMs: number[];
  /** Each edit's time through the UI, ms, in order (first after ready = [0]). */
  editMs: number[];
  /**
   * Before each edit, ms from its input image appearing (the sample opened, the last result) until the engine had
   * encoded it ahead (editor/prepareImages.ts): the time a user spends on the prompt covers it, so edits start after.
   */
  encodeAheadMs: number[];
  /** The engine worker's spans during that load, ms from the page's navigation start, in start order. */
  timeline: { name: string; start: number; end: number }[];
  /** V8's WebAssembly compiles from a reload to ready (wasmCompileTrace.ts), in a traced load before the timed one. */
  compile: { load: WasmCompileTime };
}

/** The engine worker's `kontext:` measures (and its .wasm fetch), on the page's clock. */
async function readTimeline(page: Page, engine: Worker): Promise<AppTiming['timeline']> {
  const pageOrigin = await page.evaluate(() => performance.timeOrigin);
  const { origin, spans } = await readEngineSpans(engine);
  const shift = origin - pageOrigin;
  return [
    { name: 'engine worker starts', start: shift, end: shift },
    ...spans.map((s) => ({ name: s.name, start: s.start + shift, end: s.end + shift })),
  ];
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

/** Waits until the canvas says the next edit's images are encoded; returns how long that took, ms. */
async function waitForEncoded(page: Page): Promise<number> {
  const t0 = await page.evaluate(() => performance.now());
  const handle = await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="canvas-status"]')?.getAttribute('data-image-encoded') === 'true'
        ? performance.now()
        : false,
    undefined,
    { polling: 'raf', timeout: 300_000 },
  );
  return ((await handle.jsonValue()) as number) - t0;
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

/** A page of the app in `browser` after its first visit stored the embedded bundle and settled. */
async function openStored(browser: Browser, origin: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(origin);
  await waitForReady(page); // the first visit stores the embedded bundle
  await page.waitForTimeout(2000); // let the service worker and the first warm-up settle
  return page;
}

/**
 * null when there is no built app (dist/): run `npx vite build` first. `readyAgain` more loads are timed in fresh
 * browsers after the first.
 */
export async function measureApp(edits = 10, readyAgain = 2): Promise<AppTiming | null> {
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
    const page = await openStored(browser, origin);
    let engine: Worker | null = null;
    page.on('worker', (w) => {
      if (w.url().includes('engine.worker')) engine = w;
    });
    // A load of its own for the trace: tracing slows what it watches, so nothing timed runs under it.
    const { compile: load } = await traceWasmCompile(browser, page, async () => {
      await page.reload();
      return waitForReady(page);
    });
    await page.reload();
    const readyMs = await waitForReady(page);
    const timeline = engine ? await readTimeline(page, engine) : [];
    await page.getByTestId('sample').first().locator('.chip').first().click();
    const encodeAheadMs = [await waitForEncoded(page)];
    const editMs = [await timeEdit(page)];
    for (let i = 1; i < edits; i++) {
      encodeAheadMs.push(await waitForEncoded(page));
      editMs.push(await timeEdit(page));
    }
    const readyAgainMs: number[] = [];
    for (let i = 0; i < readyAgain; i++) {
      const again = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
      try {
        const fresh = await openStored(again, origin);
        await fresh.reload();
        readyAgainMs.push(await waitForReady(fresh));
      } finally {
        await again.close();
      }
    }
    return { readyMs, readyAgainMs, editMs, encodeAheadMs, timeline, compile: { load } };
  } finally {
    await browser.close();
    await new Promise<void>((resolve, reject) => server.httpServer.close((e) => (e ? reject(e) : resolve())));
  }
}
