/**
 * @file The bundles `npm run bench:gpu` times, made in place: a random-weight FLUX.1 Kontext [dev] folder at the
 * run's scale (makeSparseFlux.ts), converted by the real converter CLI once per mode, all modes at once (one
 * process each: the converter is single-threaded and the GPU machine has 16 cores). Kept between runs under
 * `<root>/<mode>-s<scale>-<hash of the shapes and options>/` (a bundle whose manifest.json exists is reused; others go); the source folder is removed after
 * converting unless kept (36 GB at scale 1 beside two 10 GB bundles on a 64 GB disk).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPO_ROOT } from '../convert/paths';
import { scaleFluxConfigs, writeFluxFolder } from '../scale/makeSparseFlux';
import { GPU_BENCH_MODES, type GpuBenchMode } from './gpuPlan';

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/** The converter's options per mode: int4 weights, MatMulNBits at accuracy level 4 (the anchor's), K DiT segments. */
function convertArgs(mode: GpuBenchMode, depth: number): string[] {
  const activations = mode === 'int4-fp16' ? 'fp16' : 'fp32';
  // The full DiT in 4 graphs, as README's conversion command; a shallower one has too few blocks to split.
  const segments = depth === 1 ? '4' : '1';
  return ['--dtype', 'int4', '--activations', activations, '--accuracy-level', '4', '--segments', segments];
}

/** Runs the converter CLI; resolves with its exit code, or 'timeout' when `deadline` passed first (then killed). */
function runConverter(source: string, out: string, args: string[], deadline: number, log: (line: string) => void) {
  const cli = join(REPO_ROOT, 'tools/convert/cli.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', cli, source, out, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (b: Buffer) => (tail = (tail + b.toString()).slice(-2000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return new Promise<{ code: number | 'timeout'; tail: string }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, deadline - Date.now()));
    child.on('close', (code) => {
      clearTimeout(timer);
      const result = Date.now() >= deadline && code !== 0 ? 'timeout' : (code ?? 1);
      if (result !== 0) log(`converter ${out}: ${result}\n${tail}`);
      resolve({ code: result, tail });
    });
  });
}

export interface BundleOutcome {
  /** The bundle folder, when it exists. */
  dir?: string;
  /** Why there is none. */
  reason?: string;
  /** Wall time spent making it in this run (0: reused). */
  convertMs: number;
}

/**
 * The bundles for `modes` at `scale` (and `depth`) under `root`, made where missing before `deadline`.
 * @returns per mode, its folder or why there is none; and the source folder's generation time (0: not needed).
 */
export async function ensureGpuBundles(
  root: string,
  { scale, depth }: { scale: number; depth: number },
  modes: readonly GpuBenchMode[],
  options: { deadline: number; keepSource: boolean; log: (line: string) => void },
): Promise<{ bundles: Partial<Record<GpuBenchMode, BundleOutcome>>; generateMs: number }> {
  // Named for what made them, so a changed shape or converter option never reuses an old bundle.
  const configs = JSON.stringify(scaleFluxConfigs(scale, depth));
  const dirOf = (mode: GpuBenchMode) =>
    join(root, `${mode}-s${scale}-${shortHash(configs + convertArgs(mode, depth).join(' '))}`);
  const source = join(root, `source-s${scale}-${shortHash(configs)}`);
  // Bundles and folders of other shapes go (a full-size set is 56 GB of a 64 GB disk).
  const current = new Set([source, ...GPU_BENCH_MODES.map(dirOf)].map((d) => basename(d)));
  for (const f of readdirSync(root))
    if (/^(source|int4-fp16|int4-fp32)-s/.test(f) && !current.has(f))
      rmSync(join(root, f), { recursive: true, force: true });
  const missing = modes.filter((m) => !existsSync(join(dirOf(m), 'manifest.json')));
  const bundles: Partial<Record<GpuBenchMode, BundleOutcome>> = {};
  for (const m of modes) if (!missing.includes(m)) bundles[m] = { dir: dirOf(m), convertMs: 0 };
  if (missing.length === 0) return { bundles, generateMs: 0 };

  let generateMs = 0;
  if (!existsSync(join(source, 'text_encoder_2', 'config.json'))) {
    rmSync(source, { recursive: true, force: true });
    const t = Date.now();
    options.log(`writing a random-weight FLUX.1 Kontext [dev] folder at scale ${scale}, depth ${depth} to ${source}`);
    writeFluxFolder(source, scale, true, depth);
    generateMs = Date.now() - t;
  }
  // A killed conversion leaves its private folder (.<name>.partial-<pid>) beside the output.
  for (const f of readdirSync(root))
    if (f.includes('.partial-')) rmSync(join(root, f), { recursive: true, force: true });
  const started = Date.now();
  options.log(`converting ${missing.join(', ')} at once`);
  const runs = await Promise.all(
    missing.map(async (mode) => {
      rmSync(dirOf(mode), { recursive: true, force: true });
      const run = await runConverter(source, dirOf(mode), convertArgs(mode, depth), options.deadline, options.log);
      return [mode, run, Date.now() - started] as const;
    }),
  );
  for (const [mode, run, convertMs] of runs) {
    bundles[mode] =
      run.code === 0
        ? { dir: dirOf(mode), convertMs }
        : {
            reason: run.code === 'timeout' ? 'conversion ran out of its time' : `converter failed (${run.code})`,
            convertMs,
          };
  }
  if (!options.keepSource && runs.every(([, r]) => r.code === 0)) rmSync(source, { recursive: true, force: true });
  return { bundles, generateMs };
}
