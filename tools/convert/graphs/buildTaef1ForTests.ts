/**
 * @file ensureTaef1Graphs(): builds the TAEF1 preview graphs once into `.cache/taef1/` (gitignored)
 * for unit tests and the Playwright globalSetup. Rebuilds when the weights or the converter
 * sources change. Node only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCachedBuild, makeStamp } from '../../testing/cachedBuild';
import { REPO_ROOT, VENDOR_DATA_DIR } from '../paths';
import { openFolderSink } from '../node/folderSink';
import { openNodeFolder } from '../node/nodeFiles';
import { buildTaef1Graphs, TAEF1_DECODER_FILE, TAEF1_ENCODER_FILE } from './taef1';

/** Where the cached graphs go. */
const TAEF1_CACHE_DIR = join(REPO_ROOT, '.cache', 'taef1');

/** Where the real weights are looked for. */
export const TAEF1_VENDOR_DIR = join(VENDOR_DATA_DIR, 'taef1');

const WEIGHT_FILES = ['taef1_encoder.safetensors', 'taef1_decoder.safetensors'];

/** The weight files the graphs are built from, in the vendor folder (tests check them with hasVendorData). */
export const TAEF1_WEIGHT_PATHS = WEIGHT_FILES.map((f) => join(TAEF1_VENDOR_DIR, f));

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
  const stamp = makeStamp(WEIGHT_FILES.map((f) => join(vendorDir, f)));
  const files = [TAEF1_ENCODER_FILE, TAEF1_DECODER_FILE, `${TAEF1_ENCODER_FILE}.data`, `${TAEF1_DECODER_FILE}.data`];
  return ensureCachedBuild(cacheDir, stamp, files, async (dir) => {
    await buildTaef1Graphs(openNodeFolder(vendorDir), vendorDir, openFolderSink(dir));
  });
}
