/**
 * @file Reads KontextBench-micro (training/kontextbench_micro): cases, chains, the paraphrase split, PNG images
 * and masks. The format is described in that folder's README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { RgbaImage } from '../../workers/api/types';
import { REPO_ROOT } from '../convert/paths';

export const BENCH = join(REPO_ROOT, 'training/kontextbench_micro');

export interface BenchCase {
  id: string;
  category: string;
  edit: string;
  instruction: string;
  seed: number;
  input: string;
  reference: string | null;
  target: string;
  /** Gray mask: 255 = pixels the instruction may change. */
  touched: string;
}

export interface BenchChain {
  id: string;
  seed: number;
  input: string;
  /** Gray mask: 255 = pixels no turn may change; they equal the input's in every turn's target. */
  untouched: string;
  turns: { instruction: string; target: string; touched: string }[];
}

/** A bench PNG (path relative to the bench folder) as RGBA. */
export function readBenchImage(path: string): RgbaImage {
  const png = PNG.sync.read(readFileSync(join(BENCH, path)));
  return { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data) };
}

/** One byte per pixel from a gray mask PNG (≥ 128 = set). */
export function readBenchMask(path: string): Uint8Array {
  const { width, height, data } = readBenchImage(path);
  return Uint8Array.from({ length: width * height }, (_, p) => data[4 * p]!);
}

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(BENCH, name), 'utf8')) as T;
}

/** Takes the first ceil(limit/5) cases of each category, so a quick run still covers all five. */
export function readCases(limit = Infinity): BenchCase[] {
  const all = readJson<{ cases: BenchCase[] }>('cases.json').cases;
  const perCategory = Math.ceil(limit / 5);
  const seen = new Map<string, number>();
  return all.filter((c) => {
    const n = seen.get(c.category) ?? 0;
    seen.set(c.category, n + 1);
    return n < perCategory;
  });
}

export function readChains(limit = Infinity): BenchChain[] {
  return readJson<{ chains: BenchChain[] }>('chains.json').chains.slice(0, limit);
}

/** Case id → paraphrased instruction (paraphrases.json, written by training/make_paraphrases.py). */
export function readParaphrases(): Map<string, string> {
  const rows = readJson<{ paraphrases: { id: string; paraphrase: string }[] }>('paraphrases.json').paraphrases;
  return new Map(rows.map((r) => [r.id, r.paraphrase]));
}
