/**
 * @file How much of a stretch of the app's time V8 spent compiling WebAssembly (onnxruntime's 16.7 MB .wasm), from a
 * Chromium trace of the `v8.wasm` categories: Liftoff compiles functions lazily on their first call (on the calling
 * thread, so on the critical path), TurboFan recompiles the hot ones in the background (on a 2-core machine it takes
 * the cores the edit needs), and the code cache can hand back a compiled module instead. Wall times on a shared
 * machine move with the load; these thread times show what the page itself asks for.
 */
import type { Browser, Page } from '@playwright/test';

export interface WasmCompileTime {
  /** Liftoff: lazy compiles on first call, plus the eager baseline pass after a cache hit; thread ms. */
  liftoffMs: number;
  /** TurboFan tier-up of hot functions, background threads; thread ms. */
  turbofanMs: number;
  /** Whether V8 took the module from Chromium's code cache. */
  cacheHit: boolean;
}

const CATEGORIES = ['v8.wasm', 'disabled-by-default-v8.wasm.detailed'];

/** Top-level spans only: CompileLazy contains CompileBaseline, ExecuteCompilationUnits contains TopTierCompilation. */
const LIFTOFF = new Set(['wasm.CompileLazy', 'wasm.BaselineCompilation']);
const TURBOFAN = 'wasm.TopTierCompilation';

interface TraceEvent {
  name: string;
  dur?: number;
  tdur?: number;
}

/** Sums a trace's compile spans; thread time (tdur) where the trace has it, else wall (dur), µs → ms. */
export function summarizeWasmTrace(events: TraceEvent[]): WasmCompileTime {
  const ms = (keep: (name: string) => boolean) =>
    events.filter((e) => keep(e.name)).reduce((s, e) => s + (e.tdur ?? e.dur ?? 0), 0) / 1000;
  return {
    liftoffMs: ms((n) => LIFTOFF.has(n)),
    turbofanMs: ms((n) => n === TURBOFAN),
    cacheHit: events.some((e) => e.name === 'wasm.GetNativeModuleFromCache'),
  };
}

/** Runs `work` with the browser tracing V8's WebAssembly compiles, and returns its result with their times. */
export async function traceWasmCompile<T>(
  browser: Browser,
  page: Page,
  work: () => Promise<T>,
): Promise<{ result: T; compile: WasmCompileTime }> {
  await browser.startTracing(page, { categories: CATEGORIES });
  const result = await work(); // on a throw the browser is closed by the caller, trace and all
  const trace = await browser.stopTracing();
  const { traceEvents } = JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] };
  return { result, compile: summarizeWasmTrace(traceEvents) };
}
