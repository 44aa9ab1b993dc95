/**
 * @file The engine worker's load timeline (workers/runtime/timeline.ts: `kontext:` User Timing measures) read from
 * outside the page, for `npm run bench` and the e2e tests.
 */
import type { Worker } from '@playwright/test';
import { TIMELINE_PREFIX } from '../../workers/runtime/timeline';

/** One span, ms on the worker's clock. */
export interface EngineSpan {
  name: string;
  start: number;
  end: number;
}

/**
 * The worker's measures (prefix removed) and its `.wasm` fetches (`fetch <file>`), in start order, with the
 * worker clock's origin (performance.timeOrigin) to put them on another clock.
 */
export async function readEngineSpans(engine: Worker): Promise<{ origin: number; spans: EngineSpan[] }> {
  const worker = await engine.evaluate(
    (prefix) => ({
      origin: performance.timeOrigin,
      spans: [
        ...performance.getEntriesByType('measure').filter((e) => e.name.startsWith(prefix)),
        ...performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')),
      ].map((e) => ({ name: e.name, start: e.startTime, end: e.startTime + e.duration })),
    }),
    TIMELINE_PREFIX,
  );
  const spans = worker.spans
    .map((s) => ({
      ...s,
      name: s.name.startsWith(TIMELINE_PREFIX)
        ? s.name.slice(TIMELINE_PREFIX.length)
        : `fetch ${s.name.split('/').pop()}`,
    }))
    .sort((a, b) => a.start - b.start);
  return { origin: worker.origin, spans };
}
