/**
 * @file `npm run bench:convert-memory -- [--scale s] [--folder dir] [--segments k] [--dist dir] [--in-memory]` (not in CI): converts the
 * sparse full-size FLUX.1 Kontext [dev] folder (tools/scale/makeSparseFlux.ts; `--scale` narrows the DiT and T5)
 * inside Chromium, through the app's own path: the built app (dist/, `vite preview`), Models › Convert a folder,
 * the conversion worker, IndexedDB. While it runs it samples the page's JS memory with
 * performance.measureUserAgentSpecificMemory (the page and its workers: the conversion worker is the one that
 * holds tensors) and the resident memory of every Chromium process (/proc: RSS and PSS, by process type), and
 * prints the peaks and the time. Issue #13's bar: < 2 GB. Needs `npx vite build` first.
 *
 * The browser runs on a fresh on-disk profile, as a user's does: Playwright's default context is off the record,
 * and there IndexedDB (every stored chunk Blob included) lives in the browser process's memory, so that
 * process grows by the whole bundle written — the storage mode, not the converter. `--in-memory` measures that
 * mode instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { preview } from 'vite';
import { formatBytes } from '../../workers/api/bytes';
import { REPO_ROOT } from '../convert/paths';
import { CHROMIUM_LAUNCH_OPTIONS } from '../testing/chromium';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

/** Every process under `root` (Chromium's browser process): pid and its `--type` (browser for the root). */
function listProcessTree(root: number): { pid: number; type: string }[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++)
    for (const [pid, parent] of parents) if (parent === tree[i] && !tree.includes(pid)) tree.push(pid);
  return tree.map((pid) => {
    let type = pid === root ? 'browser' : 'other';
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      type = /--type=([\w-]+)/.exec(cmd)?.[1] ?? type;
      if (type === 'utility') type = /--utility-sub-type=([\w.]+)/.exec(cmd)?.[1] ?? type;
    } catch {
      // ended
    }
    return { pid, type };
  });
}

/** RSS and PSS (kB fields of smaps_rollup) of one process, in bytes; null once it ended. */
function readMemory(pid: number): { rss: number; pss: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
    return { rss: field('Rss'), pss: field('Pss') };
  } catch {
    return null;
  }
}

/**
 * PSS of one process by kind of mapping (smaps): anonymous (heaps: V8, PartitionAlloc, malloc), shared memory
 * (memfd / shm: Blob and IPC transport, WASM memory), files; in bytes. Tells what grows without a heap dump.
 */
function readPssByKind(pid: number): Record<'anonymous' | 'shared' | 'file', number> {
  const kinds = { anonymous: 0, shared: 0, file: 0 };
  let kind: keyof typeof kinds = 'anonymous';
  try {
    for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
      const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
      if (header) {
        const name = header[1]!;
        kind = /memfd:|\/dev\/shm|SYSV/.test(name) ? 'shared' : name.startsWith('/') ? 'file' : 'anonymous';
      } else if (line.startsWith('Pss:')) kinds[kind] += Number(/(\d+) kB/.exec(line)?.[1] ?? 0) * 1024;
    }
  } catch {
    // ended
  }
  return kinds;
}

/** The page's JS memory (page + its workers), as the browser measures it; null if it cannot. */
async function measureJs(page: Page): Promise<{ total: number; worker: number } | null> {
  return page.evaluate(async () => {
    const p = performance as unknown as {
      measureUserAgentSpecificMemory?: () => Promise<{
        bytes: number;
        breakdown: { bytes: number; attribution: { url: string; scope: string }[] }[];
      }>;
    };
    if (!p.measureUserAgentSpecificMemory) return null;
    const m = await p.measureUserAgentSpecificMemory();
    const worker = m.breakdown
      .filter((b) => b.attribution.some((a) => a.url.includes('convert.worker')))
      .reduce((n, b) => n + b.bytes, 0);
    return { total: m.bytes, worker };
  });
}

async function main(): Promise<void> {
  // --dist: a copy of the built app, so a rebuild meanwhile cannot pull files from under the running page
  const dist = arg('--dist') ?? join(REPO_ROOT, 'dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error('no built app: run `npx vite build` first');
  const scale = Number(arg('--scale') ?? 1);
  const segments = arg('--segments') ?? '4';
  const folder = arg('--folder') ?? join(REPO_ROOT, '.cache', 'scale', `flux-sparse-${scale}`);
  if (!existsSync(join(folder, 'flux1-kontext-dev.safetensors'))) {
    console.log(`writing the sparse folder ${folder} (scale ${scale})…`);
    execFileSync('npx', ['tsx', 'tools/scale/makeSparseFlux.ts', folder, '--scale', String(scale)], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
  }
  const server = await preview({
    root: REPO_ROOT,
    configFile: join(REPO_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { port: 0, host: '127.0.0.1' },
    build: { outDir: dist },
  });
  const origin = server.resolvedUrls!.local[0]!;
  // Eager measureUserAgentSpecificMemory: otherwise Chromium answers at its next GC, up to 20 s later.
  const launch = {
    ...CHROMIUM_LAUNCH_OPTIONS,
    args: [...CHROMIUM_LAUNCH_OPTIONS.args, '--enable-blink-features=ForceEagerMeasureMemory'],
  };
  const inMemory = process.argv.includes('--in-memory');
  const profile = inMemory ? null : mkdtempSync(join(tmpdir(), 'convert-memory-profile-'));
  const browser = profile ? null : await chromium.launch(launch);
  const context: BrowserContext = browser
    ? await browser.newContext()
    : await chromium.launchPersistentContext(profile!, launch);
  // Chromium's browser process: the child of this process (Playwright's Browser does not expose its pid).
  const root = listProcessTree(process.pid).find(
    (p) => p.pid !== process.pid && readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes('chromium'),
  )?.pid;
  if (!root) console.log('no Chromium process found under this one: process memory will not be sampled');
  const peak = {
    js: 0,
    jsWorker: 0,
    rssSum: 0,
    pssSum: 0,
    rssByType: {} as Record<string, number>,
    pssByType: {} as Record<string, number>,
  };
  /** The latest sample: every process's PSS summed, and the renderers'. */
  const now = { pss: 0, rendererPss: 0, js: 0 };
  let samples = 0;
  let processSamples = 0;
  let sampling = true;
  const load0 = loadavg();
  // /proc every 2 s on a timer of its own: a JS measurement takes up to a minute on a loaded machine, and
  // process peaks sampled between two of them were missed (13 samples in 743 s).
  const sampleProcesses = () => {
    if (!root) return;
    let rss = 0;
    let pss = 0;
    let rendererPss = 0;
    for (const { pid, type } of listProcessTree(root)) {
      const m = readMemory(pid);
      if (!m) continue;
      rss += m.rss;
      pss += m.pss;
      if (type === 'renderer') rendererPss += m.pss;
      peak.rssByType[type] = Math.max(peak.rssByType[type] ?? 0, m.rss);
      peak.pssByType[type] = Math.max(peak.pssByType[type] ?? 0, m.pss);
    }
    if (rss > 0) processSamples++;
    Object.assign(now, { pss, rendererPss });
    peak.rssSum = Math.max(peak.rssSum, rss);
    peak.pssSum = Math.max(peak.pssSum, pss);
  };
  const processTimer = setInterval(sampleProcesses, 2000);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(origin);
    await page
      .getByTestId('model-status')
      .and(page.locator(':not([data-embedded-bundle="unknown"])'))
      .waitFor({ timeout: 600_000 }); // a starved machine boots in minutes
    await page.getByRole('tab', { name: 'Models' }).click();
    await page.getByLabel('Weights').selectOption('int4');
    await page.getByLabel('DiT segments').fill(segments);
    const sampler = (async () => {
      while (sampling) {
        const js = await measureJs(page).catch(() => null);
        if (js) {
          now.js = js.total;
          peak.js = Math.max(peak.js, js.total);
          peak.jsWorker = Math.max(peak.jsWorker, js.worker);
        }
        samples++;
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();
    const t0 = Date.now();
    await page.getByTestId('convert-folder').setInputFiles(folder);
    let last = '';
    for (;;) {
      const state = await page.evaluate(() => ({
        running: document.querySelector('[data-testid="conversion"]')?.getAttribute('data-state') ?? null,
        error: document.querySelector('[data-testid="convert-error"]')?.textContent ?? null,
        steps: Array.from(document.querySelectorAll<HTMLElement>('[data-testid="convert-step"]')).map(
          (r) => `${r.dataset.step} ${r.querySelector('.file-state')?.textContent ?? ''}`,
        ),
      }));
      if (state.error) throw new Error(`the conversion failed: ${state.error}`);
      if (state.running === null && Date.now() - t0 > 5000) break; // finished: the panel closed
      const line = state.steps.join(' | ');
      if (line !== last) {
        // the peaks so far with every step change: a long run that is stopped still leaves its numbers
        const renderers = root ? listProcessTree(root).filter((p) => p.type === 'renderer') : [];
        const kinds = renderers.map((p) => readPssByKind(p.pid));
        const byKind = (k: 'anonymous' | 'shared' | 'file') => formatBytes(kinds.reduce((n, m) => n + m[k], 0));
        console.log(
          `${((Date.now() - t0) / 1000).toFixed(0)} s: ${line} | now: JS ${formatBytes(now.js)}, ` +
            `PSS ${formatBytes(now.pss)}, renderer ${formatBytes(now.rendererPss)} (anonymous ${byKind('anonymous')}, ` +
            `shared ${byKind('shared')}, file ${byKind('file')}) | peaks so far: JS ${formatBytes(peak.js)}, ` +
            `PSS ${formatBytes(peak.pssSum)}, RSS ${formatBytes(peak.rssSum)}`,
        );
        last = line;
      }
      await page.waitForTimeout(5000);
    }
    const seconds = (Date.now() - t0) / 1000;
    // The Models view lists the new bundle once the app has re-read the store, a moment after the panel closes.
    await page
      .getByTestId('bundle')
      .nth(1)
      .waitFor({ timeout: 120_000 })
      .catch(() => console.log('after 120 s the Models view still lists one bundle'));
    const bundles = await page
      .getByTestId('bundle')
      .evaluateAll((els) =>
        els.map((e) => `${e.getAttribute('data-bundle-id')}: ${e.querySelector('.bundle-size')?.textContent ?? ''}`),
      );
    sampling = false;
    await sampler;
    clearInterval(processTimer);
    sampleProcesses();
    console.log(
      JSON.stringify(
        {
          folder,
          scale,
          segments: Number(segments),
          seconds: Math.round(seconds),
          profile: inMemory ? 'off the record (IndexedDB in memory)' : 'on disk',
          samples,
          processSamples,
          loadAverage1m: { start: load0[0], end: loadavg()[0] },
          peakJsHeap: formatBytes(peak.js),
          peakJsHeapConvertWorker: formatBytes(peak.jsWorker),
          peakRssSumAllProcesses: formatBytes(peak.rssSum),
          peakPssSumAllProcesses: formatBytes(peak.pssSum),
          peakRssByProcessType: Object.fromEntries(Object.entries(peak.rssByType).map(([t, b]) => [t, formatBytes(b)])),
          peakPssByProcessType: Object.fromEntries(Object.entries(peak.pssByType).map(([t, b]) => [t, formatBytes(b)])),
          bundles,
          bar:
            peak.pssSum === 0
              ? 'process memory not sampled: no verdict'
              : `peak JS heap and PSS < 2 GB: ${peak.js < 2e9 && peak.pssSum < 2e9 ? 'PASS' : 'FAIL'}`,
        },
        null,
        1,
      ),
    );
  } finally {
    sampling = false;
    clearInterval(processTimer);
    await context.close();
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await new Promise<void>((resolve, reject) => server.httpServer.close((e) => (e ? reject(e) : resolve())));
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
