/**
 * @file The engine's load timeline as User Timing measures named `kontext:<what>` (the runtime's import, each
 * graph's read and session creation, the warm-up edit), so `npm run bench` can show from outside the worker where
 * the time to a ready model goes. Measures cost next to nothing when nobody reads them.
 */
export const TIMELINE_PREFIX = 'kontext:';

/** Runs `work` and records its span as the measure `kontext:<what>` (also when it fails). */
export async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    performance.measure(TIMELINE_PREFIX + what, { start });
  }
}

/**
 * Records a span measured on another thread, its ends as epoch ms (that thread's timeOrigin + now()); one from
 * before this thread began is cut at its start (a measure cannot begin earlier).
 */
export function recordSpan(what: string, start: number, end: number): void {
  const origin = performance.timeOrigin;
  const from = Math.max(0, start - origin);
  performance.measure(TIMELINE_PREFIX + what, { start: from, end: Math.max(from, end - origin) });
}
