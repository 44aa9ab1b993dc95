import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileProgress } from '../api/jobs';
import { createProgressReporter } from './progress';

const files = (): FileProgress[] => [
  { path: 'a', bytes: 100, loaded: 0, state: 'pending' },
  { path: 'b', bytes: 50, loaded: 0, state: 'pending' },
];

describe('createProgressReporter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const now = () => Date.now();

  it('reports at most every interval, with a trailing report carrying the latest state', () => {
    const calls: FileProgress[][] = [];
    const p = createProgressReporter(files(), (f) => calls.push(f), 100, now);
    p.update('a', { state: 'downloading', loaded: 1 });
    expect(calls).toHaveLength(1);
    for (let i = 2; i <= 50; i++) {
      vi.advanceTimersByTime(1);
      p.update('a', { loaded: i });
    }
    expect(calls).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(calls).toHaveLength(2);
    expect(calls[1]![0]).toEqual({ path: 'a', bytes: 100, loaded: 50, state: 'downloading' });
    // 1000 updates over 1 s: about ten reports, never more than eleven
    for (let i = 0; i < 1000; i++) {
      vi.advanceTimersByTime(1);
      p.update('b', { loaded: i % 50 });
    }
    vi.advanceTimersByTime(200);
    expect(calls.length - 2).toBeGreaterThanOrEqual(9);
    expect(calls.length - 2).toBeLessThanOrEqual(11);
  });

  it('flush reports now; reports are copies', () => {
    const calls: FileProgress[][] = [];
    const p = createProgressReporter(files(), (f) => calls.push(f), 100, now);
    p.update('a', { loaded: 5 });
    p.update('a', { state: 'verified', loaded: 100 });
    p.flush();
    expect(calls.map((c) => c[0]!.state)).toEqual(['pending', 'verified']);
    calls[1]![0]!.loaded = -1;
    expect(p.snapshot()[0]!.loaded).toBe(100);
    vi.advanceTimersByTime(500);
    expect(calls).toHaveLength(2); // the flush cancelled the trailing report
  });

  it('survives a listener that throws or rejects, and refuses unknown files', async () => {
    const p = createProgressReporter(
      files(),
      () => {
        throw new Error('gone');
      },
      100,
      now,
    );
    expect(() => p.flush()).not.toThrow();
    const q = createProgressReporter(
      files(),
      () => Promise.reject(new Error('port closed')) as unknown as void,
      100,
      now,
    );
    q.flush();
    await Promise.resolve();
    expect(() => q.update('zzz', { loaded: 1 })).toThrow(/unknown file/);
  });
});
