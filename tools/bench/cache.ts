/**
 * @file `npm run bench:cache [-- --mb N] [--persistent]`: the figures behind the weight cache's chunk size and hashing
 * choices (workers/cache/bundleStore.ts), in headless Chromium: SHA-256 MB/s (the TypeScript hasher by piece size,
 * crypto.subtle whole), IndexedDB Blob writes by chunk size, and addBundle end to end (fetch → chunks → hash →
 * IndexedDB, then a read back) at 4, 16 and 64 MiB chunks on a bundle of N MiB (default 256) of random bytes.
 * Starts its own bundle server, Vite and browser. Without --persistent the context is in memory (IndexedDB Blobs
 * live in RAM; Chromium drops some past a few hundred MB, which the store reports as `quota`); with it, an
 * on-disk profile as users have. Measures only; asserts nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { manifestToJson } from '../../workers/bundle/manifestJson';
import { makeTestManifest } from '../../workers/cache/testBundle';
import { REPO_ROOT } from '../convert/paths';
import { createBundleServer } from '../testing/bundleServer';
import { CHROMIUM_LAUNCH_OPTIONS } from '../testing/chromium';
import { startTestServer, TEST_PAGE } from '../testing/devServer';
import type * as CacheBrowser from './cacheBrowser';

declare global {
  interface Window {
    cacheBench: typeof CacheBrowser;
  }
}

const ROOT = join(REPO_ROOT, '.cache', 'bench', 'cache');
const PREFIX = '/bench-bundles/';
const ID = 'bench-big';
const MIB = 1024 * 1024;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A bundle of a small graph and two large random files, `bytes` in all, with a real manifest. */
function writeBigBundle(dir: string, bytes: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sizes = {
    'graph.onnx': 1000,
    'a.onnx.data': Math.floor(bytes / 2),
    'b.onnx.data': bytes - Math.floor(bytes / 2),
  };
  const entries = Object.entries(sizes).map(([path, n]) => {
    const data = randomBytes(n);
    writeFileSync(join(dir, path), data);
    return { path, bytes: n, sha256: createHash('sha256').update(data).digest('hex') };
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifestToJson(makeTestManifest(ID, entries))));
}

async function main(): Promise<void> {
  const mb = Number(arg('--mb') ?? 256);
  const persistent = process.argv.includes('--persistent');
  const bundleDir = join(ROOT, 'bundles', 'big');
  const profile = join(ROOT, 'profile');
  console.log(`bundle: ${mb} MiB of random bytes; ${persistent ? 'on-disk profile' : 'in-memory context'}`);
  writeBigBundle(bundleDir, mb * MIB);
  const server = await startTestServer(REPO_ROOT, createBundleServer(join(ROOT, 'bundles'), PREFIX));
  rmSync(profile, { recursive: true, force: true });
  const browser = persistent ? null : await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  const context = browser
    ? await browser.newContext()
    : await chromium.launchPersistentContext(profile, CHROMIUM_LAUNCH_OPTIONS);
  try {
    const page = await context.newPage();
    await page.goto(server.origin + TEST_PAGE);
    await page.evaluate('import("/tools/bench/cacheBrowser.ts").then((m) => { window.cacheBench = m; })');
    const url = `${server.origin}${PREFIX}big/`;
    const show = (label: string, value: unknown) => console.log(`${label.padEnd(22)} ${JSON.stringify(value)}`);
    show('storage estimate', await page.evaluate(() => navigator.storage.estimate()));
    show('sha256 MB/s', await page.evaluate(() => window.cacheBench.benchHash(64)));
    show('IndexedDB write MB/s', await page.evaluate(() => window.cacheBench.benchIdbWrites(128)));
    // A 4 MiB-chunk add, then each stored chunk read on its own: shows which chunks Chromium dropped, if any.
    show(
      'probe add (4 MiB)',
      await page.evaluate((u) => window.cacheBench.addBundle(u, 4 * 1024 * 1024, 'probe'), url),
    );
    show(
      'probe chunks',
      await page.evaluate((id) => window.cacheBench.probeChunks('probe', id, 'a.onnx.data'), ID).catch(String),
    );
    for (const mib of [4, 16, 64]) {
      const figures = await page
        .evaluate(([u, bytes, db]) => window.cacheBench.benchAddBundle(u, bytes, db), [
          url,
          mib * MIB,
          `bench-${mib}`,
        ] as const)
        .catch(String);
      show(`addBundle ${mib} MiB MB/s`, figures);
    }
  } finally {
    await context.close();
    await browser?.close();
    await server.close();
    rmSync(ROOT, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
