/**
 * @file A BundleSink over a folder on disk (Node): each write goes straight to the file and into its
 * sha256, so a finished bundle is never read back to be hashed.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileEntry } from '../../../workers/bundle/manifest';
import type { BundleSink } from '../io/bundleSink';

/** Writes files under `dir` (created when missing). */
export function openFolderSink(dir: string): BundleSink {
  mkdirSync(dir, { recursive: true });
  const done = new Map<string, FileEntry>();
  return {
    create(path) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      const fd = openSync(join(dir, path), 'w');
      const hash: Hash = createHash('sha256');
      let bytes = 0;
      let open = true;
      return {
        write(data) {
          if (!open) throw new Error(`${path} is closed`);
          // writeSync may write less than asked (large buffers, some filesystems).
          for (let n = 0; n < data.length;) n += writeSync(fd, data, n, data.length - n);
          hash.update(data);
          bytes += data.length;
        },
        close() {
          if (!open) return;
          open = false;
          closeSync(fd);
          done.set(path, { path, bytes, sha256: hash.digest('hex') });
        },
      };
    },
    drain: async () => undefined,
    async describe(path) {
      const entry = done.get(path);
      if (!entry) throw new Error(`${join(dir, path)} was not written (or not closed)`);
      return entry;
    },
    read: async (path) => new Uint8Array(readFileSync(join(dir, path))),
  };
}
