import { describe, expect, it } from 'vitest';
import { readableByOrt, weightsForOrt } from './externalData';

const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251);

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for (const reader = stream.getReader(); ;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(parts);
    parts.push(value);
  }
}

/** A stream that gives what `from` gives up to `limit` bytes, then never another byte, as a stalled read does. */
function stallAfter(from: Blob, limit: number): ReadableStream<Uint8Array<ArrayBuffer>> {
  const reader = from.slice(0, limit).stream().getReader();
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return new Promise<void>(() => undefined);
      controller.enqueue(value);
    },
  });
}

/** A Blob whose every stream stalls at once. */
class StalledBlob extends Blob {
  override slice(start?: number, end?: number): Blob {
    return new StalledBlob([super.slice(start, end)]);
  }
  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return new ReadableStream({ pull: () => new Promise<void>(() => undefined) });
  }
}

/** A Blob whose own stream stalls after 100,000 bytes; a slice of it (a retry) reads normally. */
class StallsOnceBlob extends Blob {
  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return stallAfter(this, 100_000);
  }
}

describe('readableByOrt', () => {
  it('gives the same bytes, sliced as onnxruntime slices, through a stream without BYOB reads', async () => {
    const blob = readableByOrt(new Blob([bytes]));
    expect(blob).toBeInstanceOf(Blob); // onnxruntime tells Blobs from arrays with instanceof
    expect(blob.size).toBe(bytes.length);
    const slice = blob.slice(1000, 250_000);
    expect(slice.size).toBe(249_000);
    expect(() => slice.stream().getReader({ mode: 'byob' })).toThrow(TypeError);
    expect((await readAll(slice.stream())).equals(bytes.subarray(1000, 250_000))).toBe(true);
  });

  it('reads the rest again from where a stalled read stopped', async () => {
    const read = await readAll(readableByOrt(new StallsOnceBlob([bytes]), 50).stream());
    expect(read.equals(bytes)).toBe(true);
  });

  it('fails, saying where, when the reads keep stalling, instead of waiting for ever', async () => {
    const blob = readableByOrt(new StalledBlob([bytes]), 50);
    await expect(readAll(blob.slice(0, 10).stream())).rejects.toThrow(
      /stalled 3 times \(no bytes for 0.05 s at byte 0 of 10\)/,
    );
  });
});

describe('weightsForOrt', () => {
  it('reads a small file whole, through the retrying reads, and leaves a large one a Blob', async () => {
    const small = await weightsForOrt(new StallsOnceBlob([bytes]), { stallMs: 50 });
    expect(small).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(small as Uint8Array).equals(bytes)).toBe(true);
    const large = await weightsForOrt(new Blob([bytes]), { wholeBytes: bytes.length - 1 });
    expect(large).toBeInstanceOf(Blob);
    expect((await readAll((large as Blob).stream())).equals(bytes)).toBe(true);
  });

  it('fails, saying where, when a file read whole ends early or gives too much', async () => {
    class Gives extends Blob {
      constructor(private readonly given: Uint8Array<ArrayBuffer>) {
        super([bytes]);
      }
      override stream() {
        return new Blob([this.given]).stream();
      }
    }
    await expect(weightsForOrt(new Gives(bytes.subarray(0, 7)))).rejects.toThrow(
      `a weights file ended at byte 7 of ${bytes.length}`,
    );
    await expect(weightsForOrt(new Gives(Buffer.concat([bytes, bytes])))).rejects.toThrow(
      `a weights file gave more bytes than its ${bytes.length}`,
    );
  });
});
