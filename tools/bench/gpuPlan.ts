/**
 * @file The pure parts of `npm run bench:gpu`: its command line, the token counts of the shapes it times, and how
 * its 10-minute budget is shared out. No Node API, so the browser half imports it too.
 */
import { getCheckedRows } from '../../workers/runtime/attentionCheck';

/** The prefix of the page's console lines that carry results to the Node side (one JSON record each). */
export const RESULT_PREFIX = 'bench:gpu ';

/** A bundle the bench converts and times: int4 weights with fp16 or fp32 activations. */
export type GpuBenchMode = 'int4-fp16' | 'int4-fp32';

export const GPU_BENCH_MODES: readonly GpuBenchMode[] = ['int4-fp16', 'int4-fp32'];

/** Where the sessions run: Chromium's WebGPU, onnxruntime-node's WebGPU EP, or whichever sees a real GPU. */
export type GpuBenchRuntime = 'auto' | 'chromium' | 'node';

export interface GpuBenchOptions {
  /** Heads and depth of the DiT and T5 (1: the real FLUX.1 Kontext [dev] shapes; makeSparseFlux's --scale). */
  scale: number;
  /**
   * Depth alone (blocks and layers), the width staying at `scale`: at scale 1 with depth < 1 every kernel has the
   * real model's shapes, in fewer blocks, so a GPU with little time left still times real-size blocks.
   */
  depth: number;
  /** Square edit sizes in pixels, one DiT step each with one input image of the same size; AE decode at the largest. */
  sizes: number[];
  modes: GpuBenchMode[];
  runtime: GpuBenchRuntime;
  /** The whole command's wall-clock budget. */
  budgetSeconds: number;
  /** Where the model folder, the bundles and the results go (default .cache/bench/gpu). */
  out: string | null;
  /** PyTorch's device: 'cuda' on a GPU machine; 'cpu' only to try the script's path here. */
  torchDevice: 'cuda' | 'cpu';
  /** Keep the random source folder after converting (it is 36 GB at scale 1). */
  keepSource: boolean;
}

export const GPU_BENCH_USAGE =
  'usage: npm run bench:gpu -- [--scale s] [--depth d] [--sizes 512,1024] [--modes int4-fp16,int4-fp32] ' +
  '[--runtime auto|chromium|node] [--budget-seconds 600] [--out <dir>] [--torch-device cuda|cpu] [--keep-source]';

/** Parses the command line; throws with the usage line on anything it does not understand. */
export function parseGpuBenchArgs(argv: readonly string[]): GpuBenchOptions {
  const options: GpuBenchOptions = {
    scale: 1,
    depth: Number.NaN, // = scale unless given
    sizes: [512, 1024],
    modes: [...GPU_BENCH_MODES],
    runtime: 'auto',
    budgetSeconds: 600,
    out: null,
    torchDevice: 'cuda',
    keepSource: false,
  };
  const fail = (why: string): never => {
    throw new Error(`${why}\n${GPU_BENCH_USAGE}`);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i] ?? fail(`${arg} needs a value`);
    switch (arg) {
      case '--scale': {
        const s = Number(value());
        if (!(s > 0 && s <= 1)) fail(`--scale must be in (0, 1]`);
        options.scale = s;
        break;
      }
      case '--depth': {
        const d = Number(value());
        if (!(d > 0 && d <= 1)) fail(`--depth must be in (0, 1]`);
        options.depth = d;
        break;
      }
      case '--sizes': {
        const sizes = value().split(',').map(Number);
        // 16 = the AE's factor 8 × the patch edge 2: every size must pack into whole tokens.
        if (sizes.some((s) => !Number.isInteger(s) || s < 16 || s % 16 !== 0))
          fail('--sizes are pixel edges, multiples of 16');
        options.sizes = [...new Set(sizes)].sort((a, b) => a - b);
        break;
      }
      case '--modes': {
        const modes = value().split(',');
        const bad = modes.find((m) => !GPU_BENCH_MODES.includes(m as GpuBenchMode));
        if (bad !== undefined) fail(`unknown mode "${bad}": use ${GPU_BENCH_MODES.join(', ')}`);
        options.modes = modes as GpuBenchMode[];
        break;
      }
      case '--runtime': {
        const r = value();
        if (r !== 'auto' && r !== 'chromium' && r !== 'node') fail(`--runtime must be auto, chromium or node`);
        options.runtime = r as GpuBenchRuntime;
        break;
      }
      case '--budget-seconds': {
        const s = Number(value());
        if (!(s >= 30)) fail('--budget-seconds must be at least 30');
        options.budgetSeconds = s;
        break;
      }
      case '--out':
        options.out = value();
        break;
      case '--torch-device': {
        const d = value();
        if (d !== 'cuda' && d !== 'cpu') fail('--torch-device must be cuda or cpu');
        options.torchDevice = d as 'cuda' | 'cpu';
        break;
      }
      case '--keep-source':
        options.keepSource = true;
        break;
      default:
        fail(`unknown argument "${arg}"`);
    }
  }
  if (Number.isNaN(options.depth)) options.depth = options.scale;
  return options;
}

/** The DiT's token counts for a square edit of `size` pixels with one input image of the same size. */
export function getEditTokens(size: number, t5Length: number): { image: number; total: number } {
  const perImage = (size / 16) ** 2; // AE factor 8, patch edge 2
  return { image: 2 * perImage, total: 2 * perImage + t5Length };
}

/**
 * Seconds the known-answer attention check's float64 reference needs in JavaScript (2 heads; one multiply-add for
 * the scores and one for the weighted sum per checked row, key and channel), at a pessimistic 0.5 G per second.
 */
export function estimateAttentionCheckSeconds(tokens: number, headDim: number): number {
  return (2 * 2 * getCheckedRows(tokens).length * tokens * headDim) / 0.5e9;
}

/**
 * Shares `remaining` seconds among the parts still to run, by weight: part `next` gets its weight's share, so an
 * earlier part that finishes early leaves its time to the later ones.
 */
export function allotSeconds(remaining: number, weights: readonly number[], next: number): number {
  const rest = weights.slice(next).reduce((a, b) => a + b, 0);
  return rest > 0 ? Math.max(0, (remaining * weights[next]!) / rest) : 0;
}
