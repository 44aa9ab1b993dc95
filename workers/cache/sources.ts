/**
 * @file Reading a bundle from where it lives: a folder URL (fetch, HTTP Range to resume) or files the user
 * picked (a directory input or the File System Access API). Both give the manifest JSON and a byte stream of
 * each file from an offset.
 */
import { EngineError } from '../api/errors';
import type { FileEntry } from '../bundle/manifest';
import { toFetchError, toHttpError } from './cacheErrors';

/** A bundle's source, opened. */
export interface SourceReader {
  /** The folder URL, or null for picked files. */
  url: string | null;
  /** The manifest.json text, not yet parsed. */
  readManifest(signal: AbortSignal): Promise<string>;
  /** The bytes of `entry` from `offset` to its end. */
  openFile(entry: FileEntry, offset: number, signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

/** Joins a folder URL and a bundle-relative path, escaping each path segment. */
export function joinUrl(folder: string, path: string): string {
  const base = folder.endsWith('/') ? folder : `${folder}/`;
  return base + path.split('/').map(encodeURIComponent).join('/');
}

/** A stream without its first `count` bytes (for a server that ignored our Range header). */
export function dropBytes(stream: ReadableStream<Uint8Array>, count: number): ReadableStream<Uint8Array> {
  let left = count;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (left >= chunk.length) {
          left -= chunk.length;
          return;
        }
        controller.enqueue(left > 0 ? chunk.subarray(left) : chunk);
        left = 0;
      },
    }),
  );
}

/**
 * True when a 206 holds the file's bytes from `offset` on. Content-Range says so; a cross-origin response hides
 * Content-Range and Content-Encoding unless the server exposes them (Access-Control-Expose-Headers), and then a
 * Content-Length of exactly the bytes left is taken instead (another range would not have it; the sha256 check
 * catches the rest).
 */
function isRangeFrom(response: Response, offset: number, total: number): boolean {
  const encoding = response.headers.get('Content-Encoding');
  if (encoding && encoding !== 'identity') return false;
  const range = response.headers.get('Content-Range');
  if (range !== null) return Number(/^bytes (\d+)-/.exec(range)?.[1] ?? -1) === offset;
  return Number(response.headers.get('Content-Length')) === total - offset;
}

/**
 * Reads a bundle from a folder URL; `fetch` is the host's (it resolves relative URLs against its origin and follows
 * redirects, e.g. Hugging Face's resolve/main/ to its CDN). `online` is navigator.onLine, asked when a fetch fails.
 */
export function createUrlReader(url: string, fetch: FetchFn, online: () => boolean = () => true): SourceReader {
  async function get(path: string, signal: AbortSignal, offset = 0): Promise<Response> {
    // no-store: a 512 MB response must not also land in the HTTP cache next to our copy.
    const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
    const target = joinUrl(url, path);
    let response: Response;
    try {
      response = await fetch(target, { signal, headers, cache: 'no-store' });
    } catch (e) {
      throw toFetchError(e, target, online(), signal);
    }
    if (!response.ok || !response.body) {
      void response.body?.cancel();
      throw toHttpError(response.status, response.statusText, url, path);
    }
    return response;
  }

  return {
    url,
    readManifest: async (signal) => (await get('manifest.json', signal)).text(),
    async openFile(entry, offset, signal) {
      const response = await get(entry.path, signal, offset);
      if (offset === 0 || response.status === 200) {
        // 200 to a Range request: the server sent the whole file; skip what is already stored.
        return offset === 0 ? response.body! : dropBytes(response.body!, offset);
      }
      if (response.status === 206 && isRangeFrom(response, offset, entry.bytes)) return response.body!;
      // A range we cannot trust (another start, or of a compressed representation): take the whole file.
      void response.body?.cancel();
      return dropBytes((await get(entry.path, signal)).body!, offset);
    },
  };
}

/** A picked file's path inside the picked folder ('' prefix for the File System Access API's flat list). */
function relativePath(file: File): string {
  return (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
}

/**
 * Maps manifest paths to picked files. The folder holding the top-most manifest.json is the bundle root; a
 * path not found under it falls back to a unique file of the same name (flat lists from showDirectoryPicker
 * walks that drop folders).
 * @throws EngineError `bad-manifest` when no manifest.json was picked.
 */
export function matchPickedFiles(files: File[]): { manifest: File; find(path: string): File | undefined } {
  const manifests = files
    .filter((f) => f.name === 'manifest.json')
    .sort((a, b) => relativePath(a).length - relativePath(b).length);
  const manifest = manifests[0];
  if (!manifest)
    throw new EngineError('bad-manifest', 'The picked files contain no manifest.json; pick the bundle folder itself.');
  const root = relativePath(manifest).slice(0, -'manifest.json'.length);
  const byPath = new Map<string, File>();
  const byName = new Map<string, File[]>();
  for (const f of files) {
    const rel = relativePath(f);
    if (rel.startsWith(root)) byPath.set(rel.slice(root.length), f);
    byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  }
  return {
    manifest,
    find(path) {
      const named = byName.get(path.split('/').pop()!) ?? [];
      return byPath.get(path) ?? (named.length === 1 ? named[0] : undefined);
    },
  };
}

/** Reads a bundle from picked files. */
export function createFilesReader(files: File[]): SourceReader {
  const picked = matchPickedFiles(files);
  return {
    url: null,
    readManifest: () => picked.manifest.text(),
    async openFile(entry, offset) {
      const file = picked.find(entry.path);
      if (!file)
        throw new EngineError(
          'bad-input',
          `The picked folder has no "${entry.path}", but the bundle's manifest lists it.`,
        );
      if (file.size !== entry.bytes) {
        throw new EngineError(
          'hash-mismatch',
          `The picked "${entry.path}" has ${file.size} bytes; the manifest says ${entry.bytes}. It is not this bundle's file.`,
        );
      }
      return file.slice(offset).stream();
    },
  };
}
