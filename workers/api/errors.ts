/** Every failure the engine reports has one of these codes, so the UI can say what to do. */
export type EngineErrorCode =
  | 'no-webgpu'
  | 'no-shader-f16'
  | 'device-lost'
  | 'not-initialized'
  | 'bad-model'
  | 'missing-external-data'
  | 'bad-image'
  | 'bad-input'
  | 'quota'
  | 'hash-mismatch'
  | 'bad-manifest'
  | 'cancelled'
  | 'runtime';

const CODES: ReadonlySet<string> = new Set<EngineErrorCode>([
  'no-webgpu',
  'no-shader-f16',
  'device-lost',
  'not-initialized',
  'bad-model',
  'missing-external-data',
  'bad-image',
  'bad-input',
  'quota',
  'hash-mismatch',
  'bad-manifest',
  'cancelled',
  'runtime',
]);

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
