import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../cache';
import { bundleKey, chunkKey } from '../cache/layout';
import { createSha256 } from '../cache/sha256';
import { openStoreSink } from './storeSink';

/** Writes `bytes` as `path` through a sink with 1 KiB chunks, so the file spans several chunk Blobs. */
async function writeFile(bytes: Uint8Array) {
  const kv = createMemoryStore();
  const sink = openStoreSink(kv, 'b', 1024);
  const file = sink.create('w.bin');
  file.write(bytes.subarray(0, 1500)); // a write across a chunk boundary
  file.write(bytes.subarray(1500));
  file.close();
  await sink.drain();
  return { kv, sink, entry: await sink.describe('w.bin') };
}

const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 251);

describe('openStoreSink publish', () => {
  it('writes the bundle record only once every file is stored whole', async () => {
    const { kv, sink, entry } = await writeFile(bytes);
    expect(entry.bytes).toBe(5000);
    expect(await kv.getMany([bundleKey('b')])).toEqual([undefined]);
    await sink.publish({ files: [entry] }, [entry]);
    expect(await kv.getMany([bundleKey('b')])).toEqual([expect.objectContaining({ id: 'b' })]);
    expect(await sink.read('w.bin')).toEqual(bytes);
  });

  it('stores what was written whatever the pieces, its buffer growing from 64 KiB to a chunk', async () => {
    const kv = createMemoryStore();
    const sink = openStoreSink(kv, 'b', 200 * 1024);
    const data = Uint8Array.from({ length: 500 * 1024 + 3 }, (_, i) => (i * 7 + (i >> 9)) % 256);
    const file = sink.create('big.bin');
    for (const [from, to] of [
      [0, 10],
      [10, 70_000],
      [70_000, 70_001],
      [70_001, 400_000],
      [400_000, data.length],
    ] as const)
      file.write(data.subarray(from, to));
    file.close();
    const entry = await sink.describe('big.bin');
    const expected = createSha256();
    expected.update(data);
    expect(entry).toEqual({ path: 'big.bin', bytes: data.length, sha256: expected.digestHex() });
    await sink.publish({ files: [entry] }, [entry]);
    expect(await sink.read('big.bin')).toEqual(data);
  });

  it('looks the chunks up a batch at a time across files, in few reads', async () => {
    const kv = createMemoryStore();
    let reads = 0;
    const counted = { ...kv, getMany: <T>(keys: IDBValidKey[]) => (reads++, kv.getMany<T>(keys)) };
    const sink = openStoreSink(counted, 'b', 1024);
    const big = Uint8Array.from({ length: 20 * 1024 + 7 }, (_, i) => (i * 13) % 253); // 21 chunks
    for (const [path, data] of [
      ['big.bin', big],
      ['small.bin', bytes],
      ['empty.bin', new Uint8Array(0)],
    ] as const) {
      const file = sink.create(path);
      file.write(data);
      file.close();
    }
    const entries = await Promise.all(['big.bin', 'small.bin', 'empty.bin'].map((p) => sink.describe(p)));
    reads = 0;
    await sink.publish({ files: entries }, entries);
    expect(reads).toBe(1 + Math.ceil((21 + 5) / 16)); // the records, then the 26 chunks 16 at a time
    expect(await kv.getMany([bundleKey('b')])).toEqual([expect.objectContaining({ id: 'b' })]);
    expect(await sink.read('big.bin')).toEqual(big);
  });

  it('refuses a file with a chunk missing or cut short, or a record that is not the manifest entry', async () => {
    for (const damage of ['missing', 'short', 'entry'] as const) {
      const { kv, sink, entry } = await writeFile(bytes);
      if (damage === 'missing') await kv.delMany([chunkKey('b', 'w.bin', 2)]);
      if (damage === 'short') await kv.setMany([[chunkKey('b', 'w.bin', 2), new Blob([bytes.slice(2048, 3000)])]]);
      const listed = damage === 'entry' ? { ...entry, sha256: '0'.repeat(64) } : entry;
      await expect(sink.publish({ files: [listed] }, [listed])).rejects.toMatchObject({ code: 'hash-mismatch' });
      expect(await kv.getMany([bundleKey('b')])).toEqual([undefined]);
    }
  });
});
