/**
 * @file `npm run bundle:micro`: makes public/bundles/kontext-micro, the bundle the app serves, by converting
 * the committed checkpoint (training/checkpoints/kontext-micro, fp32, as `npm run convert` does, without the staged AE
 * decoder) — unless the folder already holds the conversion of exactly these inputs. ensureMicroBundle(STAGED_MICRO)
 * makes the same conversion with the staged decoder into .cache for the tests of tiled decoding. The bundle is built, not committed, so the
 * checkpoint and the bundle can never disagree and a retrain adds the checkpoint to the repository, not both.
 *
 * The npm scripts that need the bundle (start, build, test:unit, test:e2e, bench, bench:quality) run this first
 * as their pre-hook. The key is a sha256 over every checkpoint file, every converter source file the conversion
 * reaches through its imports, and the versions of the packages those import; it lives in
 * .cache/bundles/kontext-micro.key.json, outside the served folder, so the service worker never precaches it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { BundleOptions } from '../convert/bundle/convertBundle';
import { REPO_ROOT } from '../convert/paths';

export const CHECKPOINT_DIR = join(REPO_ROOT, 'training/checkpoints/kontext-micro');
export const EMBEDDED_BUNDLE_DIR = join(REPO_ROOT, 'public/bundles/kontext-micro');
const CONVERTER_ENTRY = join(REPO_ROOT, 'tools/convert/bundle/convertBundle.ts');

/** One conversion of the checkpoint: where it goes, where its key is kept, and the converter options. */
interface MicroBuild {
  outDir: string;
  keyFile: string;
  options: Pick<BundleOptions, 'weights' | 'segments' | 'aeStages'>;
}

/**
 * The bundle the app serves: what `npm run convert -- training/checkpoints/kontext-micro <out> --dtype fp32` makes,
 * less the staged AE decoder. Its only bucket is 64², which never tiles, so the stages (7 of 44 MB) would only add
 * to what every first visit downloads, hashes and stores.
 */
const EMBEDDED: MicroBuild = {
  outDir: EMBEDDED_BUNDLE_DIR,
  keyFile: join(REPO_ROOT, '.cache/bundles/kontext-micro.key.json'),
  options: { weights: 'fp32', segments: 1, aeStages: false },
};

/** The same conversion with the staged decoder, for the tests of tiled decoding on micro's trained autoencoder. */
export const STAGED_MICRO: MicroBuild = {
  outDir: join(REPO_ROOT, '.cache/bundles/kontext-micro-staged'),
  keyFile: join(REPO_ROOT, '.cache/bundles/kontext-micro-staged.key.json'),
  options: { weights: 'fp32', segments: 1, aeStages: true },
};

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g;

/**
 * The TypeScript files `entry` reaches through relative imports, and the packages they import (bare specifiers,
 * `node:` builtins aside). An import that resolves to no file throws, so a source is never silently left out.
 */
export function collectSources(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (spec!.startsWith('node:')) continue;
      if (!spec!.startsWith('.')) {
        packages.add(
          spec!
            .split('/')
            .slice(0, spec!.startsWith('@') ? 2 : 1)
            .join('/'),
        );
        continue;
      }
      const base = resolve(dirname(file), spec!);
      const found = [base, `${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f) && statSync(f).isFile());
      if (!found) throw new Error(`${relative(REPO_ROOT, file)}: cannot resolve import '${spec}'`);
      visit(found);
    }
  };
  visit(entry);
  return { files: [...files].sort(), packages: [...packages].sort() };
}

/** The build key: checkpoint bytes, converter sources, package versions and options. */
export function computeKey(checkpointDir = CHECKPOINT_DIR, options: MicroBuild['options'] = EMBEDDED.options): string {
  const hash = createHash('sha256');
  const add = (label: string, bytes: Buffer | string) =>
    hash.update(`${label}\0${Buffer.byteLength(bytes)}\0`).update(bytes);
  for (const f of listFiles(checkpointDir)) add(relative(checkpointDir, f), readFileSync(f));
  const { files, packages } = collectSources(CONVERTER_ENTRY);
  for (const f of files) add(relative(REPO_ROOT, f), readFileSync(f));
  for (const p of packages) {
    const manifest = join(REPO_ROOT, 'node_modules', p, 'package.json');
    add(p, existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : '?');
  }
  add('options', JSON.stringify(options));
  return hash.digest('hex');
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** True when `dir` holds the build recorded for `key`: the same manifest, every file it lists at its size. */
function isUpToDate(dir: string, keyFile: string, key: string): boolean {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(keyFile) || !existsSync(manifestPath)) return false;
  const recorded = JSON.parse(readFileSync(keyFile, 'utf8')) as { key: string; manifestSha256: string };
  if (recorded.key !== key || recorded.manifestSha256 !== sha256(manifestPath)) return false;
  const { files } = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: { path: string; bytes: number }[] };
  return files.every((f) => existsSync(join(dir, f.path)) && statSync(join(dir, f.path)).size === f.bytes);
}

/**
 * Converts the checkpoint as `build` says unless its folder is up to date. The conversion goes to a private folder
 * under .cache and is swapped in whole, so a server reading the folder never sees a half-written bundle.
 */
export async function ensureMicroBundle(build: MicroBuild = EMBEDDED): Promise<{ built: boolean; ms: number }> {
  const started = performance.now();
  const { outDir, keyFile, options } = build;
  const key = computeKey(CHECKPOINT_DIR, options);
  if (isUpToDate(outDir, keyFile, key)) return { built: false, ms: performance.now() - started };
  const { convertBundle } = await import('../convert/bundle/convertBundle');
  const tmp = join(dirname(keyFile), `${basename(outDir)}.build-${process.pid}`);
  mkdirSync(dirname(keyFile), { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  try {
    await convertBundle(CHECKPOINT_DIR, tmp, options);
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(dirname(outDir), { recursive: true });
    renameSync(tmp, outDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  writeFileSync(keyFile, JSON.stringify({ key, manifestSha256: sha256(join(outDir, 'manifest.json')) }, null, 2));
  return { built: true, ms: performance.now() - started };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureMicroBundle()
    .then(({ built, ms }) => {
      const where = relative(REPO_ROOT, EMBEDDED_BUNDLE_DIR);
      console.log(
        built
          ? `kontext-micro: converted ${relative(REPO_ROOT, CHECKPOINT_DIR)} into ${where} in ${(ms / 1000).toFixed(1)} s`
          : `kontext-micro: ${where} is up to date (checked in ${(ms / 1000).toFixed(1)} s)`,
      );
    })
    .catch((e: unknown) => {
      console.error(`bundle:micro: ${(e as Error).message}`);
      process.exit(1);
    });
}
