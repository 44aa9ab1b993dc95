/** @file manifest.json as the cache reads it: parseManifest() plus the cache's own path rules, as `bad-manifest`. */
import { EngineError } from '../api/errors';
import { ManifestError, parseManifest, type Manifest } from '../bundle/manifest';

/** Parses manifest.json text. @throws EngineError `bad-manifest` naming what is wrong. */
export function readManifestText(text: string, where: string): { json: unknown; manifest: Manifest } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EngineError('bad-manifest', `The manifest.json of ${where} is not valid JSON (${(e as Error).message}).`);
  }
  return { json, manifest: parseStoredManifest(json, where) };
}

export function parseStoredManifest(json: unknown, where: string): Manifest {
  try {
    const manifest = parseManifest(json);
    checkFilePaths(manifest);
    return manifest;
  } catch (e) {
    if (e instanceof ManifestError)
      throw new EngineError('bad-manifest', `The bundle ${where} cannot be used: ${e.message}.`);
    throw e;
  }
}

/** File paths must stay inside the bundle folder and be unique (each is a key and a URL under the folder). */
function checkFilePaths(manifest: Manifest): void {
  const seen = new Set<string>();
  for (const { path } of manifest.files) {
    if (path.startsWith('/') || path.split('/').some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) {
      throw new ManifestError(`manifest: file path "${path}" must be relative and stay inside the bundle folder`);
    }
    if (seen.has(path)) throw new ManifestError(`manifest: file "${path}" is listed twice`);
    seen.add(path);
  }
}
