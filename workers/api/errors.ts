/**
 * Every failure the engine reports has one of these codes, each saying what happened, so the UI can say what to
 * do (src/engine/messages.ts has advice for each). The list is the type: a code cannot exist without an entry.
 */
export const ENGINE_ERROR_CODES = [
  /** WebGPU was asked for and this browser or machine has none. */
  'no-webgpu',
  /** The GPU device was lost (driver reset, another tab's crash); choosing a backend again recovers. */
  'device-lost',
  /** onnxruntime or WebGPU could not allocate what the model needs. */
  'out-of-memory',
  /** A call that needs init() (or a chosen backend) came first. */
  'not-initialized',
  /** This machine cannot run the bundle (e.g. fp16 weights without shader-f16). */
  'unsupported',
  /** No bundle with that id is stored in this browser. */
  'bundle-not-found',
  /** The bundle is stored, but not every file is downloaded and verified. */
  'bundle-incomplete',
  /** Another tab (or this one) is downloading that bundle right now. */
  'busy',
  /** A model graph is not what the engine expects (not ONNX, wrong inputs, outputs or shapes). */
  'bad-model',
  /** A model graph references a weights file that was not given. */
  'missing-external-data',
  /** A bundle's manifest.json is missing, not JSON, or invalid. */
  'bad-manifest',
  /** An image the engine was given has an unusable size or pixel buffer. */
  'bad-image',
  /** A request the engine refuses as given (an edit's settings, a mask of the wrong size…); the message says which. */
  'bad-input',
  /** The browser's storage is full or lost stored data. */
  'quota',
  /** The device is offline (navigator.onLine), so a download could not start or go on. */
  'offline',
  /** A download broke off mid-file, or the server failed (5xx, 429); a retry resumes at the last stored byte. */
  'network',
  /**
   * A URL's server answered nothing this page may read: no CORS headers (Access-Control-Allow-Origin) or not
   * reachable at all. Under our COEP (require-corp) the browser cannot tell those two apart (see cacheErrors.ts).
   */
  'cors',
  /** The server has nothing at a bundle URL (HTTP 404 or 410). */
  'not-found',
  /** The server refused without a login (HTTP 401 or 403): a private or gated model. */
  'access-denied',
  /** A downloaded or picked file does not match the manifest's sha256 or size. */
  'hash-mismatch',
  /** cancel() stopped the work. */
  'cancelled',
  /** Anything else: an unexpected failure, with the underlying message. */
  'runtime',
] as const;

export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

const CODES: ReadonlySet<string> = new Set<EngineErrorCode>(ENGINE_ERROR_CODES);

/**
 * The one error class of the engine. Comlink keeps only an Error's name, message and stack across the
 * worker boundary, so the code travels in `name` (`EngineError:<code>`) and is recovered by {@link toEngineError}.
 */
export class EngineError extends Error {
  readonly code: EngineErrorCode;

  constructor(code: EngineErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = `EngineError:${code}`;
  }
}

/** Recovers an EngineError from anything thrown across the worker boundary (or wraps a foreign error). */
export function toEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  if (error instanceof Error) {
    const match = /^EngineError:(.+)$/.exec(error.name);
    if (match && CODES.has(match[1]!)) return new EngineError(match[1] as EngineErrorCode, error.message);
    return new EngineError('runtime', error.message);
  }
  return new EngineError('runtime', String(error));
}
