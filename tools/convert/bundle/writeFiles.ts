/**
 * @file Files of a finished bundle: sha256 + size of each, streamed (weights can be gigabytes).
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FileEntry } from '../../../workers/bundle/manifest';

/** sha256 (hex) of a file, read in chunks. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 8 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** One manifest entry per path (relative to `dir`), in the given order. */
export async function describeFiles(dir: string, paths: string[]): Promise<FileEntry[]> {
  const entries: FileEntry[] = [];
  for (const path of paths)
    entries.push({ path, bytes: statSync(join(dir, path)).size, sha256: await hashFile(join(dir, path)) });
  return entries;
}
