/**
 * @file Test bundles for e2e/cache.spec.ts, generated at test time (never committed): a few files of random
 * bytes and a manifest.json written with the real manifestToJson, hashed with Node's crypto.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestToJson } from '../../workers/bundle/manifestJson';
import { makeRandomBytes, makeTestManifest } from '../../workers/cache/testBundle';

/** Files of the e2e bundle: several chunks each at the spec's 64 KiB chunk size. */
export const BUNDLE_FILES: Record<string, number> = {
  'graph.onnx': 2_000,
  'w0.onnx.data': 300_000,
  'w1.onnx.data': 400_000 + 3,
  'tokenizer.json': 5_000,
};

export interface WrittenBundle {
  dir: string;
  id: string;
  /** sha256 of each file, from Node's crypto (independent of the hasher under test). */
  sha256: Record<string, string>;
  totalBytes: number;
}

/** Writes a bundle folder `dir` (manifest.json inside) with manifest `format_version` = `version`. */
export function writeTestBundle(dir: string, id: string, version = 1): WrittenBundle {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sha256: Record<string, string> = {};
  const entries = Object.entries(BUNDLE_FILES).map(([path, bytes], i) => {
    const data = makeRandomBytes(bytes, 1000 + i);
    writeFileSync(join(dir, path), data);
    sha256[path] = createHash('sha256').update(data).digest('hex');
    return { path, bytes, sha256: sha256[path] };
  });
  const json = { ...manifestToJson(makeTestManifest(id, entries)), format_version: version };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(json, null, 2));
  return { dir, id, sha256, totalBytes: entries.reduce((s, e) => s + e.bytes, 0) };
}
