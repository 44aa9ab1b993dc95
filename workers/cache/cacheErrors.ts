/** @file Turns what fetch, streams and IndexedDB throw into EngineErrors that say what to do. */
import { EngineError } from '../api/errors';

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
  // fetch's body streams fail with a TypeError when the connection drops; anything else (IndexedDB…) is ours.
  const code = error instanceof TypeError ? 'network' : 'runtime';
  return new EngineError(code, `Downloading "${path}" failed (${message}). Retry to resume where it stopped.`);
}

/**
 * Maps a fetch() that rejected before any response (a TypeError, "Failed to fetch") for `url`. Offline is what
 * navigator.onLine says. Otherwise the server either sent no CORS headers or could not be reached: the browser hides
 * which on purpose, and the usual trick (a `no-cors` probe that succeeds when the server is reachable) does not work
 * here, since our COEP (require-corp) blocks an opaque response without Cross-Origin-Resource-Policy just the same;
 * measured in Chromium, both cases give the same TypeError and a resource-timing entry with status 0. So `cors`
 * names both, CORS first (the common case for a URL that opens fine in a tab).
 */
export function toFetchError(error: unknown, url: string, online: boolean, signal: AbortSignal): unknown {
  if (error instanceof EngineError || signal.aborted || isNamedError(error, 'AbortError')) return error;
  if (!online) return new EngineError('offline', `The device is offline; ${url} was not fetched.`);
  const message = error instanceof Error ? error.message : String(error);
  return new EngineError('cors', `${url}: ${message}`);
}

/**
 * Maps an HTTP status other than 2xx for `path` of the bundle at `url` to what the user can do about it.
 * The manifest's 404 says the URL is wrong; a listed file's 404 says the server's copy is incomplete.
 */
export function toHttpError(status: number, statusText: string, url: string, path: string): EngineError {
  const what = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  if (status === 404 || status === 410) {
    return new EngineError(
      'not-found',
      path === 'manifest.json'
        ? `There is no manifest.json at ${url} (${what}); is this a bundle folder?`
        : `The bundle at ${url} has no file "${path}" (${what}), but its manifest lists it.`,
    );
  }
  if (status === 401 || status === 403)
    return new EngineError(
      'access-denied',
      `${url} refused "${path}" (${what}): it needs a login or an accepted licence.`,
    );
  return new EngineError('network', `Downloading "${path}" failed: ${what}. Retry to resume.`);
}
