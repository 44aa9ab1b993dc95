/**
 * @file Test fixtures that are built, not committed (converted graphs, bundles), cached under `.cache/`
 * and rebuilt when their inputs change. Node only.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const STAMP_FILE = 'build-stamp.json';

/** The converter's own sources (its ONNX builder included): a change to any of them invalidates every cached build. */
const CONVERTER_DIR = resolve(import.meta.dirname, '../convert');

/**
 * Identifies a build: the sizes and mtimes of its input files plus a hash of the TypeScript sources
 * under `sourceDirs` (tests excluded).
 */
export function makeStamp(inputFiles: string[], sourceDirs: string[] = [CONVERTER_DIR]): string {
  const hash = createHash('sha256');
  for (const dir of sourceDirs) for (const file of listSources(dir)) hash.update(file).update(readFileSync(file));
  const inputs = inputFiles.map((f) => {
    const s = statSync(f);
    return { file: f, size: s.size, mtimeMs: s.mtimeMs };
  });
  return JSON.stringify({ inputs, sources: hash.digest('hex') }, null, 2);
}

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Every file of a folder, recursively, relative to it. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

function readStamp(cacheDir: string, requiredFiles: string[]): string | undefined {
  if (![STAMP_FILE, ...requiredFiles].every((f) => existsSync(join(cacheDir, f)))) return undefined;
  return readFileSync(join(cacheDir, STAMP_FILE), 'utf8');
}

/**
 * Returns `cacheDir` after making sure it holds a build matching `stamp`: builds into a sibling folder and
 * swaps it in, so parallel test workers never see half-written files (a matching build another worker
 * finished first is kept). `build` receives a fresh, not yet existing folder path.
 */
export async function ensureCachedBuild(
  cacheDir: string,
  stamp: string,
  requiredFiles: string[],
  build: (dir: string) => Promise<void>,
): Promise<string> {
  if (readStamp(cacheDir, requiredFiles) === stamp) return cacheDir;
  const tmp = `${cacheDir}.tmp-${process.pid}-${Date.now()}`;
  try {
    await build(tmp);
    writeFileSync(join(tmp, STAMP_FILE), stamp);
    if (readStamp(cacheDir, requiredFiles) === stamp) return cacheDir;
    rmSync(cacheDir, { recursive: true, force: true });
    renameSync(tmp, cacheDir);
  } catch (e) {
    if (readStamp(cacheDir, requiredFiles) !== stamp) throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return cacheDir;
}
