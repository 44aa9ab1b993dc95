/**
 * @file The edit benchmark itself, pure TypeScript so the same code times onnxruntime-node in Node and
 * onnxruntime-web in the browser: edits of one image through runEdit, each with empty encoder caches (as a new
 * instruction on a new image is: every component runs), repeated until the timings settle, with every model call
 * timed by component so the pipeline's own share ("glue": resizing, packing, noise, Euler updates, compositing)
 * is what is left.
 */
import type { EditJob } from '../../workers/api/jobs';
import type { RgbaImage } from '../../workers/api/types';
import type { Manifest } from '../../workers/bundle/manifest';
import { runEdit, type EditContext } from '../../workers/kontext/edit';
import type { KontextModels } from '../../workers/kontext/models';
import type { PromptTokenizer } from '../../workers/kontext/text';
import { settle, type SettleOptions } from './settle';

/** Where an edit's time goes: the model calls by kind, and what is left. */
export const COMPONENTS = ['text', 'aeEncode', 'dit', 'aeDecode'] as const;
export type Component = (typeof COMPONENTS)[number];
export type ComponentTimes = Record<Component, number>;

export interface BenchResult {
  /** Edits run in all, and whether the last `window` of them varied less than the tolerance. */
  edits: number;
  settled: boolean;
  /** The first edit (sessions created in it) and the mean of the settled window, ms. */
  firstEditMs: number;
  perEditMs: number;
  /** Mean time per edit of each component over the settled window, ms; glue = perEditMs − their sum. */
  components: ComponentTimes;
  /**
   * CPU time per edit over the settled window, ms (every thread of the runtime's process, spin-waits included), when
   * the side can read it: on a shared machine it moves far less with the load than the wall time does.
   */
  cpuPerEditMs: number | null;
  /** DiT calls per edit (steps × averaged runs, or steps where the runs go through the DiT as one batch). */
  ditCalls: number;
}

/** Cumulative CPU time of the process that runs the models, ms. */
export type CpuClock = () => Promise<number>;

/** Which component a model call is; `onCall` hears it before the call runs (the FLOP counter tags sessions). */
function timeModels(models: KontextModels, spent: ComponentTimes, onCall?: (c: Component) => void): KontextModels {
  const wrap =
    <A extends unknown[], R>(component: Component, f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      onCall?.(component);
      const t0 = performance.now();
      try {
        return await f(...a);
      } finally {
        spent[component] += performance.now() - t0;
      }
    };
  return {
    encodeText: wrap('text', models.encodeText),
    encodeImage: wrap('aeEncode', models.encodeImage),
    velocity: wrap('dit', models.velocity),
    decode: wrap('aeDecode', models.decode),
  };
}

/** A smooth test picture at the bundle's first bucket. */
function makeBenchImage(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(4 * width * height);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    data.set([(x * 255) / width, (y * 255) / height, 128 + 100 * Math.sin((x + y) / 5), 255], 4 * i);
  }
  return { width, height, data };
}

const zeroTimes = (): ComponentTimes => ({ text: 0, aeEncode: 0, dit: 0, aeDecode: 0 });

export interface BenchInputs {
  manifest: Manifest;
  tokenizers: { t5: PromptTokenizer; clip: PromptTokenizer };
  models: KontextModels;
  hashImage: (image: RgbaImage) => Promise<string>;
  /** As each phase of an edit starts (the GPU bytes count per phase). */
  onPhase?: EditContext['onPhase'];
}

/** One edit as the app runs it by default (the bundle's steps, guidance and average), with empty caches. */
export async function runBenchEdit(
  { manifest, tokenizers, models, hashImage, onPhase }: BenchInputs,
  seed: number,
  spent: ComponentTimes,
  onCall?: (c: Component) => void,
): Promise<void> {
  const [width, height] = manifest.sampling.resolutions[0]!;
  const job: EditJob = {
    id: `bench-${seed}`,
    bundleId: manifest.id,
    image: makeBenchImage(width, height),
    prompt: 'make the background yellow',
    references: [],
    mask: null,
    steps: manifest.sampling.defaultSteps,
    guidance: manifest.sampling.defaultGuidance,
    average: manifest.sampling.defaultAverage,
    seed,
    size: 'input',
    previewEvery: 0,
    keepUnchanged: true,
  };
  const cache = { text: new Map(), images: new Map() };
  await runEdit(job, { manifest, tokenizers, models: timeModels(models, spent, onCall), cache, hashImage, onPhase });
}

/** Edits until the last `window` edit times settle (or the cap), then reports the settled window. */
export async function benchEdits(inputs: BenchInputs, options: SettleOptions, cpu?: CpuClock): Promise<BenchResult> {
  const perEdit: ComponentTimes[] = [];
  /** Cumulative CPU time before each edit and after the last: a window's total is one difference (a coarse clock's step counts once). */
  const cpuAt: number[] = [];
  let ditCalls = 0;
  const run = await settle(async (i) => {
    const spent = zeroTimes();
    if (cpu) cpuAt.push(await cpu());
    const t0 = performance.now();
    await runBenchEdit(inputs, i, spent, (c) => (ditCalls += c === 'dit' && i === 0 ? 1 : 0));
    const ms = performance.now() - t0;
    perEdit.push(spent);
    return ms;
  }, options);
  if (cpu) cpuAt.push(await cpu());
  const window = perEdit.slice(-options.window);
  const components = zeroTimes();
  for (const c of COMPONENTS) components[c] = window.reduce((s, t) => s + t[c], 0) / window.length;
  return {
    edits: run.times.length,
    settled: run.settled,
    firstEditMs: run.times[0]!,
    perEditMs: run.times.slice(-options.window).reduce((s, t) => s + t, 0) / window.length, // the components' window
    components,
    cpuPerEditMs: cpu ? (cpuAt.at(-1)! - cpuAt.at(-1 - window.length)!) / window.length : null,
    ditCalls,
  };
}
