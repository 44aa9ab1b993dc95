import { describe, expect, it } from 'vitest';
import { EngineError } from '../api/errors';
import { createFilesReader, createUrlReader, dropBytes, joinUrl, matchPickedFiles } from './sources';

const bytesOf = async (s: ReadableStream<Uint8Array>) => new Uint8Array(await new Response(s).arrayBuffer());
const streamOf = (...parts: number[][]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(new Uint8Array(p));
      c.close();
    },
  });
function picked(path: string, content = path): File {
  const file = new File([content], path.split('/').pop()!);
  Object.defineProperty(file, 'webkitRelativePath', { value: path });
  return file;
}
const entry = (path: string, bytes: number) => ({ path, bytes, sha256: '0'.repeat(64) });
const signal = new AbortController().signal;

describe('sources', () => {
  it('joins folder URLs and escapes path segments', () => {
    expect(joinUrl('/bundles/kontext-micro', 'manifest.json')).toBe('/bundles/kontext-micro/manifest.json');
    expect(joinUrl('https://h/b/', 'dit/seg 1#.onnx')).toBe('https://h/b/dit/seg%201%23.onnx');
  });

  it('drops the first bytes of a stream across pieces', async () => {
    expect([...(await bytesOf(dropBytes(streamOf([1, 2], [3, 4, 5], [6]), 3)))]).toEqual([4, 5, 6]);
    expect([...(await bytesOf(dropBytes(streamOf([1, 2]), 0)))]).toEqual([1, 2]);
  });

  it('refetches the whole file when a 206 starts elsewhere or is compressed', async () => {
    const body = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
    const calls: (string | null)[] = [];
    const cases: Record<string, string>[] = [
      { 'Content-Range': 'bytes 0-7/8' },
      { 'Content-Range': 'bytes 5-7/8', 'Content-Encoding': 'gzip' },
    ];
    for (const headers of cases) {
      const reader = createUrlReader('https://h/b', async (_url, init) => {
        const range = new Headers(init?.headers).get('Range');
        calls.push(range);
        return range ? new Response(body.slice(0), { status: 206, headers }) : new Response(body.slice(0));
      });
      expect([...(await bytesOf(await reader.openFile(entry('f', 8), 5, signal)))]).toEqual([5, 6, 7]);
    }
    expect(calls).toEqual(['bytes=5-', null, 'bytes=5-', null]);
    const failing = createUrlReader('https://h/b', async () => new Response('x', { status: 500, statusText: 'Oops' }));
    await expect(failing.openFile(entry('f', 8), 0, signal)).rejects.toMatchObject({
      code: 'network',
      message: expect.stringMatching(/HTTP 500 Oops/),
    });
  });

  it('takes a 206 whose Content-Range is hidden (cross-origin) when its length is exactly the bytes left', async () => {
    const body = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const [part, expectedRanges] of [
      [body.slice(5), ['bytes=5-']], // Content-Length 3 = 8 - 5: trusted
      [body.slice(4), ['bytes=5-', null]], // 4 bytes for a 3-byte rest: another range, refetched whole
    ] as const) {
      const ranges: (string | null)[] = [];
      const reader = createUrlReader('https://h/b', async (_url, init) => {
        const range = new Headers(init?.headers).get('Range');
        ranges.push(range);
        return range
          ? new Response(part.slice(0), { status: 206, headers: { 'Content-Length': String(part.length) } })
          : new Response(body.slice(0));
      });
      expect([...(await bytesOf(await reader.openFile(entry('f', 8), 5, signal)))]).toEqual([5, 6, 7]);
      expect(ranges).toEqual(expectedRanges);
    }
  });

  it('gives a refused, gated, missing, unreachable and offline request each its own code', async () => {
    const status = (code: number) =>
      createUrlReader('https://hf.example/b/', async () => new Response('', { status: code }));
    for (const [code, expected] of [
      [401, 'access-denied'],
      [403, 'access-denied'],
      [404, 'not-found'],
      [410, 'not-found'],
      [429, 'network'],
      [503, 'network'],
    ] as const) {
      await expect(status(code).readManifest(signal)).rejects.toMatchObject({
        code: expected,
        message: expect.stringContaining(`HTTP ${code}`),
      });
    }
    await expect(status(404).openFile(entry('dit/a.onnx', 1), 0, signal)).rejects.toMatchObject({
      message: expect.stringContaining('no file "dit/a.onnx"'),
    });
    // fetch's TypeError: offline when navigator.onLine says so, else CORS (or unreachable: the browser hides which)
    let online = true;
    const unreachable = createUrlReader(
      'https://cdn.example/b/',
      async () => {
        throw new TypeError('Failed to fetch');
      },
      () => online,
    );
    await expect(unreachable.readManifest(signal)).rejects.toMatchObject({
      code: 'cors',
      message: 'https://cdn.example/b/manifest.json: Failed to fetch',
    });
    online = false;
    await expect(unreachable.openFile(entry('w.data', 1), 0, signal)).rejects.toMatchObject({ code: 'offline' });
    // a cancel stays a cancel (AbortError), whatever the network state
    const aborted = AbortSignal.abort();
    const cancelled = createUrlReader('https://h/b', async (_url, init) => {
      init!.signal!.throwIfAborted();
      return new Response('');
    });
    await expect(cancelled.readManifest(aborted)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('finds the bundle root in a picked folder, falls back to unique names, and says what is missing', async () => {
    const files = [
      picked('top/manifest.json'),
      picked('top/dit/a.onnx'),
      picked('top/b.data'),
      picked('top/nested/manifest.json'),
      picked('flat.json'),
    ];
    const match = matchPickedFiles(files);
    expect(match.manifest).toBe(files[0]);
    expect(match.find('dit/a.onnx')).toBe(files[1]);
    expect(match.find('b.data')).toBe(files[2]);
    expect(match.find('elsewhere/flat.json')).toBe(files[4]);
    expect(match.find('manifest.json')).toBe(files[0]);
    expect(() => matchPickedFiles([picked('x/a.onnx')])).toThrow(EngineError);

    const reader = createFilesReader(files);
    expect(await reader.readManifest(signal)).toBe('top/manifest.json');
    expect(new TextDecoder().decode(await bytesOf(await reader.openFile(entry('b.data', 10), 4, signal)))).toBe(
      'b.data',
    );
    await expect(reader.openFile(entry('b.data', 11), 0, signal)).rejects.toMatchObject({ code: 'hash-mismatch' });
    await expect(reader.openFile(entry('c.data', 1), 0, signal)).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringMatching(/no "c.data"/),
    });
  });
});
