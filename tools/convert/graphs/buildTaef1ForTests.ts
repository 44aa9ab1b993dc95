/**
 * @file ensureTaef1Graphs(): builds the TAEF1 preview graphs once into `.cache/taef1/` (gitignored)
 * for unit tests and the Playwright globalSetup. Rebuilds when the weights or the converter
 * sources change. Node only.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, VENDOR_DATA_DIR } from '../paths';
import { buildTaef1Graphs, TAEF1_DECODER_FILE, TAEF1_ENCODER_FILE } from './taef1';

/** Where the cached graphs go. */
export const TAEF1_CACHE_DIR = join(REPO_ROOT, '.cache', 'taef1');

/** Where the real weights are looked for. */
export const TAEF1_VENDOR_DIR = join(VENDOR_DATA_DIR, 'taef1');

const WEIGHT_FILES = ['taef1_encoder.safetensors', 'taef1_decoder.safetensors'];
const STAMP_FILE = 'build-stamp.json';
const CONVERT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Options, mainly for tests of this helper. */
export interface EnsureTaef1Options {
  vendorDir?: string;
  cacheDir?: string;
}

/**
 * Returns a folder holding `preview_encoder.onnx`, `preview_decoder.onnx` and their `.onnx.data`
 * files, building them if needed; or null (after printing why) when the TAEF1 weights are absent.
 */
export async function ensureTaef1Graphs(options: EnsureTaef1Options = {}): Promise<string | null> {
  const vendorDir = options.vendorDir ?? TAEF1_VENDOR_DIR;
  const cacheDir = options.cacheDir ?? TAEF1_CACHE_DIR;
  const missing = WEIGHT_FILES.filter((f) => !existsSync(join(vendorDir, f)));
  if (missing.length > 0) {
    console.warn(`TAEF1 graphs unavailable: ${missing.join(', ')} not found in ${vendorDir}`);
    return null;
  }
  const stamp = makeStamp(vendorDir);
  if (readStamp(cacheDir) === stamp) return cacheDir;

  // Build beside the cache and swap it in, so parallel test workers never see half-written files.
  const tmp = `${cacheDir}.tmp-${process.pid}-${Date.now()}`;
  try {
    await buildTaef1Graphs(vendorDir, tmp);
    writeFileSync(join(tmp, STAMP_FILE), stamp);
    // A worker that finished first may already be serving its copy: keep it rather than swap under it.
    if (readStamp(cacheDir) === stamp) return cacheDir;
    rmSync(cacheDir, { recursive: true, force: true });
    renameSync(tmp, cacheDir);
  } catch (e) {
    // Another worker may have won the race; its result is as good as ours.
    if (readStamp(cacheDir) !== stamp) throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return cacheDir;
}

function readStamp(cacheDir: string): string | undefined {
  const files = [STAMP_FILE, TAEF1_ENCODER_FILE, TAEF1_DECODER_FILE, `${TAEF1_ENCODER_FILE}.data`, `${TAEF1_DECODER_FILE}.data`];
  if (!files.every((f) => existsSync(join(cacheDir, f)))) return undefined;
  return readFileSync(join(cacheDir, STAMP_FILE), 'utf8');
}

/** Identifies a build: weight file sizes and mtimes plus a hash of the converter sources. */
function makeStamp(vendorDir: string): string {
  const hash = createHash('sha256');
  for (const file of listConverterSources(CONVERT_DIR)) hash.update(file).update(readFileSync(file));
  const weights = WEIGHT_FILES.map((f) => {
    const s = statSync(join(vendorDir, f));
    return { file: f, size: s.size, mtimeMs: s.mtimeMs };
  });
  return JSON.stringify({ vendorDir, weights, converter: hash.digest('hex') }, null, 2);
}

function listConverterSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
