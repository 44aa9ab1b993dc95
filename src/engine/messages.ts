import { toEngineError, type EngineError, type EngineErrorCode } from '../../workers/api';

function assertNever(value: never): never {
  throw new Error(`unhandled engine error code ${String(value)}`);
}

/** What the user can do about each kind of failure, in plain words. */
function adviceFor(code: EngineErrorCode): string {
  switch (code) {
    case 'no-webgpu':
      return 'This browser or machine has no usable WebGPU. Choose WASM (CPU) in Models › Engine, or use a recent Chrome or Edge.';
    case 'device-lost':
      return 'The GPU stopped responding (a driver reset or another program took it). Choose the backend again in Models › Engine to recover; your session is safe.';
    case 'out-of-memory':
      return 'The model ran out of memory on this machine. Try a smaller image or fewer references, close other tabs that use the GPU, or use a smaller (int4) bundle.';
    case 'not-initialized':
      return 'The engine is not ready for this yet.';
    case 'unsupported':
      return 'This machine cannot run that model; Models says why. Choose another model, or another backend in Models › Engine.';
    case 'bundle-not-found':
      return 'That model is not stored in this browser (it was deleted, or the browser cleared its storage). Add it again in Models.';
    case 'bundle-incomplete':
      return 'That model is not completely downloaded. Resume its download in Models.';
    case 'busy':
      return 'That model is being downloaded in another tab or window. Wait for it there, or cancel it there first.';
    case 'bad-model':
      return 'The model files are not what this engine expects. Re-add the bundle.';
    case 'missing-external-data':
      return 'A weights file of the model is missing. Add the whole bundle folder.';
    case 'bad-manifest':
      return 'That folder or URL is not a usable Kontext bundle (its manifest.json is missing or invalid).';
    case 'bad-image':
      return 'The engine refused this image.';
    case 'bad-input':
      return 'The engine refused this request as given.';
    case 'quota':
      return 'The browser ran out of storage. Delete a bundle or old sessions, or allow persistent storage in Models.';
    case 'offline':
      return 'This device is offline. Reconnect, then Retry in Models: the download continues where it stopped.';
    case 'network':
      return 'The download broke off (the connection dropped or the server failed). Retry in Models: it continues where it stopped.';
    case 'cors':
      return (
        'The server did not let this page download from it: it sends no CORS header (Access-Control-Allow-Origin), ' +
        'or it cannot be reached. If the address opens in a new tab, the server lacks CORS: host the bundle where ' +
        'CORS is on (Hugging Face is), or download the folder and use Add from a folder.'
      );
    case 'not-found':
      return 'The server has nothing at that address (HTTP 404). Check the URL: it must be the bundle folder, the one that holds manifest.json.';
    case 'access-denied':
      return (
        'The server wants a login (HTTP 401/403): the model is private or gated. On Hugging Face, accept its licence ' +
        'on the model page, then download the bundle folder and use Add from a folder; this page never sends your ' +
        'Hugging Face login or a token.'
      );
    case 'hash-mismatch':
      return 'A downloaded file is damaged (checksum mismatch). Resume the download to fetch it again.';
    case 'cancelled':
      return 'Cancelled.';
    case 'runtime':
      return 'Something went wrong in the engine.';
    default:
      return assertNever(code);
  }
}

/**
 * Turns anything the engine threw into one sentence for the notice area: the advice for its code, then the
 * engine's own detail when it adds something.
 */
export function describeEngineError(error: unknown): string {
  const e: EngineError = toEngineError(error);
  const advice = adviceFor(e.code);
  if (e.code === 'cancelled') return advice;
  const detail = e.message.trim();
  return detail && !advice.includes(detail) ? `${advice} (${detail})` : advice;
}
