/**
 * @file `npm run bench:quality [-- --bundle <dir>] [--limit N] [--runtime node|web] [--sheet <png>]`: edits every
 * KontextBench-micro case and chain through the real engine (createEngine, the same code the worker runs) and
 * prints per category the success rate (PSNR to target ≥ 24 dB), mean PSNR and the identity baseline; for the
 * chains, the PSNR of the regions no instruction touched after turn 1 and turn 5. Writes a contact sheet of 24
 * random cases (input | reference | output | target).
 *
 * Every case and chain runs twice, side by side: as the app edits by default (keepUnchanged: pixels the model
 * left unchanged are copied back from the input) and as the model alone made it (keepUnchanged off).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import type { EditJob } from '../../workers/api/jobs';
import type { RgbaImage } from '../../workers/api/types';
import { REPO_ROOT } from '../convert/paths';
import { openFolderEngine, type NodeRuntime } from '../testing/folderEngine';
import { computePsnr, summarize, type CaseScore } from './qualityMetrics';

const BENCH = join(REPO_ROOT, 'training/kontextbench_micro');
const EMBEDDED = join(REPO_ROOT, 'public/bundles/kontext-micro');

interface BenchCase {
  id: string;
  category: string;
  instruction: string;
  seed: number;
  input: string;
  reference: string | null;
  target: string;
}
interface BenchChain {
  id: string;
  seed: number;
  input: string;
  untouched: string;
  turns: { instruction: string; target: string }[];
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function readPng(path: string): RgbaImage {
  const png = PNG.sync.read(readFileSync(join(BENCH, path)));
  return { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data) };
}

/** One byte per pixel from a gray mask PNG. */
function readMask(path: string): Uint8Array {
  const { width, height, data } = readPng(path);
  return Uint8Array.from({ length: width * height }, (_, p) => data[4 * p]!);
}

/** Rows of [input | reference | output | target] tiles. */
function writeContactSheet(path: string, rows: RgbaImage[][]): void {
  const tile = rows[0]![0]!.width;
  const gap = 2;
  const width = 4 * tile + 5 * gap;
  const height = rows.length * (tile + gap) + gap;
  const png = new PNG({ width, height });
  png.data.fill(40);
  rows.forEach((row, r) =>
    row.forEach((img, c) => {
      for (let y = 0; y < img.height; y++) {
        for (let x = 0; x < img.width; x++) {
          const o = 4 * ((gap + r * (tile + gap) + y) * width + gap + c * (tile + gap) + x);
          png.data.set(img.data.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 4), o);
        }
      }
    }),
  );
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, PNG.sync.write(png));
}

/** The two ways every case runs: the app's default, and the model's output alone. */
const MODES = [
  { label: 'app default (keep unchanged pixels)', keepUnchanged: true },
  { label: 'model output alone (keepUnchanged off)', keepUnchanged: false },
] as const;

type Editor = (
  image: RgbaImage,
  prompt: string,
  seed: number,
  references: RgbaImage[],
  keepUnchanged: boolean,
) => Promise<RgbaImage>;

/** Takes the first ceil(limit/5) cases of each category, so a quick run still covers all five. */
function pickCases(limit: number): BenchCase[] {
  const all: BenchCase[] = JSON.parse(readFileSync(join(BENCH, 'cases.json'), 'utf8')).cases;
  const perCategory = Math.ceil(limit / 5);
  const seen = new Map<string, number>();
  return all.filter((c) => {
    const n = seen.get(c.category) ?? 0;
    seen.set(c.category, n + 1);
    return n < perCategory;
  });
}

/** True when every pixel the mask marks (≥ 128) is byte-identical in both images. */
function isExact(a: RgbaImage, b: RgbaImage, mask: Uint8Array): boolean {
  return mask.every((m, p) => m < 128 || [0, 1, 2].every((c) => a.data[4 * p + c] === b.data[4 * p + c]));
}

/**
 * Mean untouched-region PSNR after turn 1 and turn 5 over the chains that leave some pixels untouched (an exact
 * region counts as 100 dB), and how many chains still have those pixels byte-identical after turn 5.
 */
async function runChains(
  edit: Editor,
  chains: BenchChain[],
  keepUnchanged: boolean,
): Promise<{ turn1: number; turn5: number; count: number; exact: number }> {
  const results: { turn1: number; turn5: number; exact: boolean }[] = [];
  for (const chain of chains) {
    const original = readPng(chain.input);
    const untouched = readMask(chain.untouched);
    if (!untouched.some((v) => v >= 128)) continue; // a whole-image edit (invert, mirror…) leaves nothing untouched
    let current = original;
    const psnrs: number[] = [];
    for (const [t, turn] of chain.turns.entries()) {
      current = await edit(current, turn.instruction, chain.seed + t, [], keepUnchanged);
      psnrs.push(computePsnr(current, original, untouched));
    }
    const [turn1, turn5] = [psnrs[0], psnrs.at(-1)];
    if (turn1 === undefined || turn5 === undefined) throw new Error(`chains.json: chain '${chain.id}' has no turns`);
    results.push({ turn1, turn5, exact: isExact(current, original, untouched) });
  }
  const mean = (k: 'turn1' | 'turn5') => results.reduce((n, c) => n + c[k], 0) / Math.max(1, results.length);
  return {
    turn1: mean('turn1'),
    turn5: mean('turn5'),
    count: results.length,
    exact: results.filter((r) => r.exact).length,
  };
}

function printTable(scores: CaseScore[]): void {
  console.log(
    ['category', 'cases', 'success', 'mean PSNR', 'identity success', 'identity PSNR']
      .map((h, i) => (i === 0 ? h.padEnd(20) : h.padStart(17)))
      .join(''),
  );
  for (const r of summarize(scores)) {
    const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
    console.log(
      [
        r.category.padEnd(20),
        String(r.cases),
        pct(r.success),
        `${r.meanPsnr.toFixed(2)} dB`,
        pct(r.identitySuccess),
        `${r.identityMeanPsnr.toFixed(2)} dB`,
      ]
        .map((v, i) => (i === 0 ? v : v.padStart(17)))
        .join(''),
    );
  }
}

async function main(): Promise<void> {
  const dir = arg('--bundle') ?? EMBEDDED;
  const limit = Number(arg('--limit') ?? Infinity);
  const runtime = (arg('--runtime') ?? 'node') as NodeRuntime;
  const sheetPath = arg('--sheet') ?? join(REPO_ROOT, '.cache/bench/kontextbench-micro-sheet.png');
  const { engine, bundle } = await openFolderEngine(dir, runtime);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const edit: Editor = async (image, prompt, seed, references, keepUnchanged) => {
    const job: EditJob = {
      id: crypto.randomUUID(),
      image,
      prompt,
      references,
      mask: null,
      seed: seed >>> 0,
      keepUnchanged,
      steps: manifest.sampling.default_steps,
      guidance: manifest.sampling.default_guidance,
      average: manifest.sampling.default_average ?? 1,
      size: 'input',
      previewEvery: 0,
    };
    return (await engine.edit(job, () => undefined)).image;
  };

  const cases = pickCases(limit);
  const chains: BenchChain[] = JSON.parse(readFileSync(join(BENCH, 'chains.json'), 'utf8')).chains.slice(
    0,
    Math.ceil(limit / 12),
  );
  const sheetPick = new Set(
    cases
      .map((_, i) => i)
      .sort((a, b) => ((a * 2654435761) % 997) - ((b * 2654435761) % 997))
      .slice(0, 24),
  );
  for (const mode of MODES) {
    const scores: CaseScore[] = [];
    const sheetRows: RgbaImage[][] = [];
    const started = performance.now();
    for (const [i, c] of cases.entries()) {
      const input = readPng(c.input);
      const target = readPng(c.target);
      const reference = c.reference ? readPng(c.reference) : null;
      const image = await edit(input, c.instruction, c.seed, reference ? [reference] : [], mode.keepUnchanged);
      scores.push({ category: c.category, psnr: computePsnr(image, target), identityPsnr: computePsnr(input, target) });
      if (sheetPick.has(i))
        sheetRows.push([
          input,
          reference ?? { ...input, data: new Uint8ClampedArray(input.data.length).fill(40) },
          image,
          target,
        ]);
    }
    const perEdit = (performance.now() - started) / Math.max(1, cases.length);
    const chain = await runChains(edit, chains, mode.keepUnchanged);

    console.log(
      `\nKontextBench-micro on ${bundle.name}, ${mode.label} (${runtime}, ${manifest.sampling.default_steps} steps, average of ${manifest.sampling.default_average ?? 1} runs): ${cases.length} cases, ${chain.count} chains with untouched regions, ${perEdit.toFixed(0)} ms per edit`,
    );
    printTable(scores);
    if (chain.count > 0) {
      console.log(
        `chains: untouched-region PSNR after turn 1 ${chain.turn1.toFixed(2)} dB, after turn 5 ${chain.turn5.toFixed(2)} dB, loss ${(chain.turn1 - chain.turn5).toFixed(2)} dB; untouched pixels still exact after turn 5 in ${chain.exact} of ${chain.count} chains`,
      );
    }
    if (mode.keepUnchanged && sheetRows.length > 0) {
      writeContactSheet(sheetPath, sheetRows);
      console.log(`contact sheet (app default): ${sheetPath}`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
