/**
 * @file `npm run convert -- <model-folder> <out-bundle> [--dtype int4|fp16|fp32] [--activations fp32|fp16]
 *   [--segments K] [--first-block-cache] [--block 32|64] [--accuracy-level 0-4] [--taef1 <dir>] [--t5-length N] [--clip-length N] [--rope-axes A,B,C]
 *   [--rope-theta N] [--lora <file>[:strength]]…`
 * Converts a FLUX.1 Kontext [dev] folder (official, diffusers, ComfyUI, fp8 or GGUF files; or kontext-micro)
 * into a web bundle, with any LoRAs (BFL, diffusers or kohya keys) merged into the DiT before quantisation.
 */
import { convertBundle, type BundleOptions, type ComponentSummary } from './bundle/convertBundle';
import type { AccuracyLevel } from './graphs/types';
import { parseLoraSpec } from './lora/loraFiles';
import { hasLength } from './tuple';
import { formatBytes } from '../../workers/api/bytes';

const USAGE =
  'usage: npm run convert -- <model-folder> <out-bundle> [--dtype int4|fp16|fp32] [--activations fp32|fp16] ' +
  '[--segments K] [--first-block-cache] [--block 32|64] ' +
  '[--accuracy-level 0-4] [--taef1 <dir>] [--t5-length N] [--clip-length N] [--rope-axes A,B,C] [--rope-theta N] ' +
  '[--lora <file.safetensors>[:strength]]…';

/** Parses the command line; throws with the usage line on anything it does not understand. */
export function parseArgs(argv: string[]): { modelDir: string; outDir: string; options: BundleOptions } {
  const positional: string[] = [];
  const options: BundleOptions = { weights: 'int4', segments: 1 };
  const int = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`${flag} needs a positive integer, got ${v ?? 'nothing'}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i];
    switch (arg) {
      case '--dtype': {
        const d = value();
        if (d !== 'int4' && d !== 'fp16' && d !== 'fp32')
          throw new Error(`unknown --dtype "${d ?? ''}": use int4, fp16 or fp32\n${USAGE}`);
        options.weights = d;
        break;
      }
      case '--activations': {
        // fp16-emulated: fp32 tensors rounded to fp16 after every fp16 op, to measure fp16 error on a CPU.
        const a = value();
        if (a !== 'fp32' && a !== 'fp16' && a !== 'fp16-emulated')
          throw new Error(`unknown --activations "${a ?? ''}": use fp32, fp16 (or fp16-emulated)\n${USAGE}`);
        options.activations = a;
        break;
      }
      case '--segments':
        options.segments = int(arg, value());
        break;
      case '--first-block-cache':
        options.firstBlockCache = true;
        break;
      case '--block': {
        const b = int(arg, value());
        if (b !== 32 && b !== 64) throw new Error(`--block must be 32 or 64\n${USAGE}`);
        options.blockSize = b;
        break;
      }
      case '--accuracy-level': {
        const level = Number(value());
        if (!Number.isInteger(level) || level < 0 || level > 4)
          throw new Error(`--accuracy-level must be an integer 0–4 (MatMulNBits; 4 = int8 dot products)\n${USAGE}`);
        options.accuracyLevel = level as AccuracyLevel;
        break;
      }
      case '--taef1':
        options.taef1Dir = value();
        break;
      case '--t5-length':
        options.t5MaxLength = int(arg, value());
        break;
      case '--clip-length':
        options.clipMaxLength = int(arg, value());
        break;
      case '--rope-axes': {
        // A checkpoint without a config gets FLUX's [d/8, 7d/16, 7d/16] split of head dim d; other splits are set here.
        const v = value();
        const axes = (v ?? '').split(',').map(Number);
        if (!hasLength(axes, 3) || axes.some((a) => !Number.isInteger(a) || a < 2 || a % 2 !== 0))
          throw new Error(
            `--rope-axes needs three positive even integers like 16,56,56, got ${v ?? 'nothing'}\n${USAGE}`,
          );
        options.ditConfig = { ...options.ditConfig, axesDim: axes };
        break;
      }
      case '--rope-theta':
        options.ditConfig = { ...options.ditConfig, theta: int(arg, value()) };
        break;
      case '--lora': {
        const spec = value();
        if (spec === undefined) throw new Error(`--lora needs a file\n${USAGE}`);
        options.loras = [...(options.loras ?? []), parseLoraSpec(spec)];
        break;
      }
      default:
        if (arg.startsWith('--')) throw new Error(`unknown option ${arg}\n${USAGE}`);
        positional.push(arg);
    }
  }
  if (options.activations && options.activations !== 'fp32' && options.weights === 'fp32')
    throw new Error(`--activations ${options.activations} needs --dtype fp16 or int4\n${USAGE}`);
  if (!hasLength(positional, 2)) throw new Error(USAGE);
  const [modelDir, outDir] = positional;
  return { modelDir, outDir, options };
}

const MB = 1024 * 1024;

/** A one-line progress bar on a terminal, a line per 10% elsewhere (CI logs). */
function makeProgress(): (done: number, total: number, tensor: string) => void {
  let lastDecile = -1;
  return (done, total, tensor) => {
    const fraction = total ? done / total : 1;
    if (process.stderr.isTTY) {
      const width = 30;
      const bar = '█'.repeat(Math.round(fraction * width)).padEnd(width, '░');
      process.stderr.write(
        `\r${bar} ${(fraction * 100).toFixed(1).padStart(5)}%  ${(done / MB).toFixed(0)}/${(total / MB).toFixed(0)} MB  ${tensor.slice(0, 40).padEnd(40)}`,
      );
      if (done >= total) process.stderr.write('\n');
    } else if (Math.floor(fraction * 10) > lastDecile) {
      lastDecile = Math.floor(fraction * 10);
      process.stderr.write(
        `converted ${(fraction * 100).toFixed(0)}% (${(done / MB).toFixed(0)} MB of source tensors)\n`,
      );
    }
  };
}

/** The summary table the CLI prints. */
export function formatSummary(rows: ComponentSummary[]): string {
  const table = [
    ['component', 'parameters', 'bytes', 'dtype'],
    ...rows.map((r) => [r.component, r.parameters.toLocaleString('en-US'), formatBytes(r.bytes), r.dtype]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return table
    .map((row) =>
      row.map((cell, c) => (c === 0 || c === 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    )
    .join('\n');
}

async function main(): Promise<void> {
  const { modelDir, outDir, options } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const result = await convertBundle(modelDir, outDir, { ...options, onProgress: makeProgress() });
  console.log(formatSummary(result.summary));
  for (const l of result.manifest.loras)
    console.log(`merged LoRA ${l.name} at strength ${l.strength} (sha256 ${l.sha256})`);
  console.log(
    `wrote ${result.manifest.files.length} files to ${result.outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error(`convert: ${(e as Error).message}`);
    process.exit(1);
  });
}
