/**
 * @file Repeats a timed piece of work until its timings settle: V8 compiles a large WebAssembly module in the
 * background and tiers it up, so the first runs are slower than the tenth, and one warm-up run is not enough.
 */

export interface SettleOptions {
  /** The last `window` times must lie within `tolerance` (spread / median) … */
  window: number;
  tolerance: number;
  /** … within at most `maxRuns` runs and `maxMs` of wall time (then the last window counts, marked unsettled). */
  maxRuns: number;
  maxMs: number;
}

export interface SettleResult {
  /** Every run's time, ms, in order. */
  times: number[];
  /** The median of the last window, ms. */
  median: number;
  settled: boolean;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Whether the last `window` values spread by less than `tolerance` of their median. */
export function isSettled(times: number[], window: number, tolerance: number): boolean {
  if (times.length < window) return false;
  const last = times.slice(-window);
  return (Math.max(...last) - Math.min(...last)) / median(last) < tolerance;
}

/** Runs `once(i)` (which returns its time in ms) until the timings settle or a cap is reached. */
export async function settle(once: (i: number) => Promise<number>, o: SettleOptions): Promise<SettleResult> {
  const times: number[] = [];
  const started = performance.now();
  let settled = false;
  while (!settled && times.length < o.maxRuns && performance.now() - started < o.maxMs) {
    times.push(await once(times.length));
    settled = isSettled(times, o.window, o.tolerance);
  }
  return { times, median: median(times.slice(-o.window)), settled };
}
