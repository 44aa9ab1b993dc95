/** @file Per-file download progress, reported through a callback at most about ten times a second. */
import type { FileProgress } from '../api/jobs';

export interface ProgressReporter {
  /** Changes one file's entry and reports (throttled). */
  update(path: string, patch: Partial<Omit<FileProgress, 'path' | 'bytes'>>): void;
  /** Reports the current state now and stops any pending report. */
  flush(): void;
  /** A copy of every file's state. */
  snapshot(): FileProgress[];
}

/**
 * Creates a reporter over `files` (their order is kept). The first change reports at once; later ones at most
 * every `intervalMs`, with a trailing report so the last state is never lost. A callback that throws or
 * rejects (a Comlink proxy whose page went away) does not disturb the download.
 */
export function createProgressReporter(
  files: FileProgress[],
  onProgress: (files: FileProgress[]) => void,
  intervalMs = 100,
  now: () => number = () => performance.now(),
): ProgressReporter {
  const state = files.map((f) => ({ ...f }));
  const index = new Map(state.map((f, i) => [f.path, i]));
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const snapshot = () => state.map((f) => ({ ...f }));
  function emit(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    last = now();
    try {
      const result: unknown = onProgress(snapshot());
      if (result instanceof Promise) result.catch(() => undefined);
    } catch {
      // Progress is advisory; a broken listener must not fail the download.
    }
  }

  return {
    update(path, patch) {
      const i = index.get(path);
      if (i === undefined) throw new Error(`progress: unknown file ${path}`);
      Object.assign(state[i]!, patch);
      const wait = last + intervalMs - now();
      if (wait <= 0) emit();
      else if (timer === null) timer = setTimeout(emit, wait);
    },
    flush: emit,
    snapshot,
  };
}
