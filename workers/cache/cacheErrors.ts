/** @file Turns what fetch, streams and IndexedDB throw into EngineErrors that say what to do. */
import { EngineError } from '../api/errors';

const MB = 1024 * 1024;

/** Bytes as a short human string (MB with one decimal, GB above 1 GB). */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * MB ? `${(bytes / (1024 * MB)).toFixed(2)} GB` : `${(bytes / MB).toFixed(1)} MB`;
}

/** True when an error is a DOMException-like error named `name` (works across realms and in Node). */
function isNamedError(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}

/**
 * Maps an error thrown while downloading or storing `path` to an EngineError: cancelled, quota, or a
 * network failure that a retry resumes from.
 */
export function toCacheError(error: unknown, path: string, signal?: AbortSignal): EngineError {
  if (error instanceof EngineError) return error;
  if (signal?.aborted || isNamedError(error, 'AbortError'))
    return new EngineError('cancelled', `Download cancelled during "${path}".`);
  if (isNamedError(error, 'QuotaExceededError')) {
    return new EngineError(
      'quota',
      `The browser's storage is full (while storing "${path}"). Free some space, then retry: the download resumes where it stopped.`,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new EngineError('runtime', `Downloading "${path}" failed (${message}). Retry to resume where it stopped.`);
}
