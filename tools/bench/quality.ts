/**
 * @file `npm run bench:quality [-- --bundle <dir>] [--limit N] [--runtime node|web] [--sheet <png>] [--samples]
 * [--seeds N] [--steps N] [--first-block-cache T]`: KontextBench-micro through the real engine (createEngine, the same code the worker runs).
 *
 * Headline: strict success per category (qualityMetrics STRICT: whole image ≥ 24 dB, touched region ≥ 20 dB,
 * ≥ 1 dB better than the input), with identity scored the same way, the old lenient number (whole image ≥ 24 dB)
 * beside it, region PSNR per category, and the paraphrase split (same cases, instructions in words the training
 * templates never use) as its own row. Chains: untouched-region PSNR per turn against the exact expected image,
 * capped at 60 dB, exact regions counted. Every case and chain runs twice: as the app edits by default
 * (keepUnchanged: pixels the model left unchanged are copied back from the input) and as the model alone made it.
 * Then the first-run gallery's chips, as the app runs them, on `--seeds` seeds each (issue #15: a chip must
 * succeed strictly on ≥ 14 of 16). `--samples` runs the chips only. Writes a contact sheet of 24 cases
 * (input | reference | output | target) and one of the chips (input | output of the first seed | target).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RgbaImage } from '../../workers/api/types';
import { parseManifest } from '../../workers/bundle/manifest';
import { EMBEDDED_BUNDLE_DIR } from '../build/embeddedBundle';
import { REPO_ROOT } from '../convert/paths';
import { openFolderEngine, type NodeRuntime } from '../testing/folderEngine';
import {
  BENCH,
  readBenchImage,
  readBenchMask,
  readCases,
  readChains,
  readParaphrases,
  type BenchCase,
  type BenchChain,
} from './benchData';
import { changedMask } from './chipTargets';
import { writeContactSheet } from './contactSheet';
import { loadGalleryChips, type GalleryChip } from './galleryChips';
import {
  computeCappedPsnr,
  isLenientSuccess,
  isStrictSuccess,
  scoreEdit,
  summarize,
  summarizeCapped,
  summarizeRow,
  type CaseScore,
} from './qualityMetrics';
import {
  formatChains,
  formatChip,
  formatCompactRows,
  formatStrictTable,
  STRICT_RULE,
  type ChipResult,
} from './qualityReport';

/** Issue #15: each first-run chip must succeed strictly on at least 14 of 16 seeds. */
const CHIP_BAR = { strict: 14, seeds: 16 };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
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

/** Edits every case with `instruction(case)` and scores it against the case's target and touched mask. */
async function runCases(
  edit: Editor,
  cases: BenchCase[],
  keepUnchanged: boolean,
  instruction: (c: BenchCase) => string,
  onCase?: (i: number, images: RgbaImage[]) => void,
): Promise<CaseScore[]> {
  const scores: CaseScore[] = [];
  for (const [i, c] of cases.entries()) {
    const input = readBenchImage(c.input);
    const target = readBenchImage(c.target);
    const reference = c.reference ? readBenchImage(c.reference) : null;
    const output = await edit(input, instruction(c), c.seed, reference ? [reference] : [], keepUnchanged);
    scores.push({ category: c.category, ...scoreEdit(output, input, target, readBenchMask(c.touched)) });
    const blank = { ...input, data: new Uint8ClampedArray(input.data.length).fill(40) };
    onCase?.(i, [input, reference ?? blank, output, target]);
  }
  return scores;
}

/**
 * Untouched-region PSNR after each turn, against the exact expected image (the untouched pixels of every turn's
 * target are the input's), over the chains that leave some pixels untouched; capped, exact regions counted.
 */
async function runChains(edit: Editor, chains: BenchChain[], keepUnchanged: boolean) {
  const perTurn: { psnr: number; exact: boolean }[][] = [];
  for (const chain of chains) {
    const original = readBenchImage(chain.input);
    const untouched = readBenchMask(chain.untouched);
    if (!untouched.some((v) => v >= 128)) continue; // a whole-image edit (invert, mirror…) leaves nothing untouched
    if (chain.turns.length === 0) throw new Error(`chains.json: chain '${chain.id}' has no turns`);
    let current = original;
    for (const [t, turn] of chain.turns.entries()) {
      current = await edit(current, turn.instruction, chain.seed + t, [], keepUnchanged);
      (perTurn[t] ??= []).push(computeCappedPsnr(current, readBenchImage(turn.target), untouched));
    }
  }
  return perTurn.map(summarizeCapped);
}

/**
 * Each chip on `seeds` seeds as the app runs it (keep unchanged on), scored strictly against its exact target;
 * also a contact-sheet row per chip (input | output of the first seed | target, or the input when none is known).
 */
async function runChips(
  edit: Editor,
  chips: GalleryChip[],
  seeds: number,
): Promise<{ results: ChipResult[]; sheetRows: RgbaImage[][] }> {
  const results: ChipResult[] = [];
  const sheetRows: RgbaImage[][] = [];
  for (const chip of chips) {
    let strict = 0;
    let lenient = 0;
    let regionPsnr = 0;
    let changed = 0;
    for (let seed = 0; seed < seeds; seed++) {
      const output = await edit(chip.input, chip.instruction, seed, [], true);
      changed += changedMask(chip.input, output).filter((v) => v > 0).length / (output.width * output.height);
      if (seed === 0) sheetRows.push([chip.input, output, chip.expected?.target ?? chip.input]);
      if (!chip.expected) continue;
      const s = scoreEdit(output, chip.input, chip.expected.target, chip.expected.touched);
      strict += Number(isStrictSuccess(s, s.identity.psnr));
      lenient += Number(isLenientSuccess(s));
      regionPsnr += s.regionPsnr / seeds;
    }
    const scored = chip.expected !== null;
    results.push({
      sampleId: chip.sampleId,
      instruction: chip.instruction,
      seeds,
      strict: scored ? strict : null,
      lenient: scored ? lenient : null,
      meanRegionPsnr: scored ? regionPsnr : null,
      changedShare: changed / seeds,
    });
  }
  return { results, sheetRows };
}

async function main(): Promise<void> {
  const dir = arg('--bundle') ?? EMBEDDED_BUNDLE_DIR;
  const limit = Number(arg('--limit') ?? Infinity);
  const runtime = (arg('--runtime') ?? 'node') as NodeRuntime;
  const seeds = Number(arg('--seeds') ?? CHIP_BAR.seeds);
  const chipsOnly = process.argv.includes('--samples');
  const sheetPath = arg('--sheet') ?? join(REPO_ROOT, '.cache/bench/kontextbench-micro-sheet.png');
  const { engine, bundle } = await openFolderEngine(dir, runtime);
  const { sampling } = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  // --steps overrides the bundle's default; --first-block-cache T turns the fast mode on (a bundle laid out for it).
  const fastMode = Number(arg('--first-block-cache') ?? 0);
  const sampler = {
    steps: Number(arg('--steps') ?? sampling.defaultSteps),
    guidance: sampling.defaultGuidance,
    average: sampling.defaultAverage,
  };
  const edit: Editor = async (image, prompt, seed, references, keepUnchanged) => {
    // Built untyped and passed whole (not as a literal) so it suits EditJob with or without `bundleId`, which the
    // worker contract is gaining; the engine ignores it where the contract has no such field.
    const job = {
      id: crypto.randomUUID(),
      bundleId: bundle.id,
      image,
      prompt,
      references,
      mask: null,
      seed: seed >>> 0,
      keepUnchanged,
      ...sampler,
      size: 'input' as const,
      previewEvery: 0,
      firstBlockCache: fastMode,
    };
    return (await engine.edit(job, () => undefined)).image;
  };
  const fast = fastMode > 0 ? `, first-block cache ${fastMode}` : '';
  const header = `${bundle.name} (${runtime}, ${sampler.steps} steps, average of ${sampler.average} runs${fast})`;

  if (!chipsOnly) {
    const cases = readCases(limit);
    const paraphrases = readParaphrases();
    const chains = readChains(Math.ceil(limit / 12));
    const sheetPick = new Set(
      cases
        .map((_, i) => i)
        .sort((a, b) => ((a * 2654435761) % 997) - ((b * 2654435761) % 997))
        .slice(0, 24),
    );
    for (const mode of MODES) {
      const sheetRows: RgbaImage[][] = [];
      const started = performance.now();
      const scores = await runCases(
        edit,
        cases,
        mode.keepUnchanged,
        (c) => c.instruction,
        (i, images) => {
          if (sheetPick.has(i)) sheetRows.push(images);
        },
      );
      const perEdit = (performance.now() - started) / Math.max(1, cases.length);
      const paraphrased = await runCases(edit, cases, mode.keepUnchanged, (c) => {
        const p = paraphrases.get(c.id);
        if (!p) throw new Error(`${BENCH}/paraphrases.json has no paraphrase for '${c.id}'`);
        return p;
      });
      const chain = await runChains(edit, chains, mode.keepUnchanged);

      console.log(
        `\nKontextBench-micro on ${header}, ${mode.label}: ${cases.length} cases, ${perEdit.toFixed(0)} ms per edit`,
      );
      console.log(STRICT_RULE);
      for (const line of formatStrictTable([...summarize(scores), summarizeRow('paraphrase (all)', paraphrased)]))
        console.log(line);
      console.log(formatCompactRows('paraphrase strict by category', summarize(paraphrased)));
      if (chain.length > 0) console.log(formatChains(chain));
      if (mode.keepUnchanged && sheetRows.length > 0) {
        writeContactSheet(sheetPath, sheetRows);
        console.log(`contact sheet (app default): ${sheetPath}`);
      }
    }
  }

  const chips = await loadGalleryChips();
  const { results, sheetRows } = await runChips(edit, chips, seeds);
  const bar = Math.ceil((CHIP_BAR.strict * seeds) / CHIP_BAR.seeds);
  console.log(
    `\nFirst-run gallery chips on ${header}, app default, ${seeds} seeds each (0…${seeds - 1}), strict against the ` +
      `exact re-render of the edited sample (touched region: the edited elements' footprints, as the domain's masks), bar ${bar}/${seeds}:`,
  );
  for (const r of results) console.log(formatChip(r, bar));
  const meeting = results.filter((r) => r.strict !== null && r.strict >= bar).length;
  console.log(`${meeting} of ${results.length} chips meet the bar`);
  const chipSheet = join(REPO_ROOT, '.cache/bench/gallery-chips-sheet.png');
  writeContactSheet(chipSheet, sheetRows);
  console.log(`contact sheet (chips, seed 0): ${chipSheet}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
