/**
 * @file The Chromium half of `npm run bench:gpu` on the Node side, loaded only when a browser is wanted: Chromium
 * (with the real-GPU flags) on a page of the Vite test server, whose gpuBrowser.ts module probes the adapter and
 * measures a bundle from IndexedDB.
 */
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { chromium, type BrowserContext } from '@playwright/test';
import { REPO_ROOT } from '../convert/paths';
import { createBundleServer } from '../testing/bundleServer';
import { CHROMIUM_LAUNCH_OPTIONS, CHROMIUM_REAL_GPU_ARGS } from '../testing/chromium';
import { startTestServer, TEST_PAGE, type TestServer } from '../testing/devServer';
import type * as GpuPage from './gpuBrowser';
import { RESULT_PREFIX } from './gpuPlan';

declare global {
  interface Window {
    gpuBench: typeof GpuPage;
  }
}

/** The VRAM budget the browser's memory plan is made for: every session resident on a datacentre GPU. */
const BROWSER_BUDGET = 64 * 1024 ** 3;

/**
 * Chromium (with the real-GPU flags) on a page of the Vite test server, its profile on disk under `root` (a
 * full-size bundle is 10 GB of IndexedDB): probe() describes its adapter; run() stores a bundle and measures it.
 */
export async function openBrowser(root: string) {
  const profile = join(root, 'chromium-profile');
  rmSync(profile, { recursive: true, force: true });
  const bundles = createBundleServer(root, '/bench-gpu/');
  const server: TestServer = await startTestServer(REPO_ROOT, bundles);
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      ...CHROMIUM_LAUNCH_OPTIONS,
      args: [...CHROMIUM_LAUNCH_OPTIONS.args, ...CHROMIUM_REAL_GPU_ARGS],
    });
  } catch (e) {
    await server.close();
    throw e;
  }
  const page = await context.newPage();
  let onResult: ((key: string, value: unknown) => void) | null = null;
  let closed = false;
  page.on('console', (m) => {
    const text = m.text();
    if (text.startsWith(RESULT_PREFIX)) {
      const { key, value } = JSON.parse(text.slice(RESULT_PREFIX.length)) as { key: string; value: unknown };
      onResult?.(key, value);
    } else if (m.type() === 'error') console.log(`  [browser] ${text.slice(0, 300)}`);
  });
  await page.goto(server.origin + TEST_PAGE);
  await page.evaluate('import("/tools/bench/gpuBrowser.ts").then((m) => { window.gpuBench = m; })');
  return {
    probe: () => page.evaluate(() => window.gpuBench.probeAdapter()),
    async run(
      mode: string,
      dir: string,
      sizes: number[],
      deadline: number,
      record: (key: string, value: unknown) => void,
    ) {
      let done = false;
      onResult = (key, value) => done || record(key, value);
      const url = `${server.origin}/bench-gpu/${relative(root, dir)}/`;
      const work = page
        .evaluate(([u, s, d, b]) => window.gpuBench.runBundle(u, s, d, b), [
          url,
          sizes,
          deadline,
          BROWSER_BUDGET,
        ] as const)
        .catch((e: unknown) => done || record('error', (e as Error).message.split('\n')[0]));
      // A kernel that outruns the deadline cannot be interrupted from here: the next bundle goes on without it.
      const late = new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()) + 5000, 'late'));
      if ((await Promise.race([work, late])) === 'late') record('stopped', `${mode} ran past its share of the budget`);
      done = true; // what the page still says after this (e.g. 'page closed') is not a result
      onResult = null;
    },
    async close() {
      if (closed) return;
      closed = true;
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
