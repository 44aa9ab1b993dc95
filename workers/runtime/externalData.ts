/**
 * @file External-data Blobs as onnxruntime should read them. Its JSPI build reads a Blob weight file lazily, slice by
 * slice, through a BYOB reader on `slice().stream()`. In Chromium a read of an IndexedDB-backed Blob could stall for
 * good while the same worker wrote a download into IndexedDB: the warm-up's session creation then never ended and
 * every later job waited behind it (hostedBundles.spec). Here every read is bounded: one that gets no bytes for
 * {@link READ_STALL_MS} is given up and the rest of the slice is read again from where it stopped; after
 * {@link READ_RETRIES} such retries the session creation fails with a message instead of hanging the engine.
 */

/** How long one read of a weight file may wait for its next bytes before it is retried. */
const READ_STALL_MS = 20_000;
/** Retries of a stalled read before the session creation fails. */
const READ_RETRIES = 2;

const STALLED = Symbol('stalled');

/** `reader.read()`, or STALLED when it has not settled within `ms`. */
async function readWithin<T>(reader: ReadableStreamDefaultReader<T>, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<typeof STALLED>((resolve) => (timer = setTimeout(() => resolve(STALLED), ms)));
  try {
    return await Promise.race([reader.read(), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Blob whose slices stream through default (not BYOB) readers that retry a stalled read. */
class RetryingReadBlob extends Blob {
  constructor(
    /** Where the bytes come from: its own slice() and stream() are used, so a test can stand in for IndexedDB. */
    private readonly source: Blob,
    private readonly stallMs: number,
  ) {
    super([source]);
  }

  override slice(start?: number, end?: number, contentType?: string): Blob {
    return new RetryingReadBlob(this.source.slice(start, end, contentType), this.stallMs);
  }

  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    const { source, stallMs } = this;
    let reader = source.stream().getReader();
    let offset = 0;
    let retries = 0;
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      async pull(controller) {
        for (;;) {
          const result = await readWithin(reader, stallMs);
          if (result !== STALLED) {
            if (result.done) return controller.close();
            offset += result.value.byteLength;
            return controller.enqueue(result.value);
          }
          void reader.cancel().catch(() => undefined);
          if (retries++ === READ_RETRIES) {
            throw new Error(
              `reading the weights stalled ${READ_RETRIES + 1} times (no bytes for ${stallMs / 1000} s at byte ` +
                `${offset} of ${source.size})`,
            );
          }
          console.warn(`a weights read stalled for ${stallMs / 1000} s at byte ${offset}; reading on from there`);
          reader = source.slice(offset).stream().getReader();
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
  }
}

/** `blob` (no bytes copied) as a Blob that onnxruntime reads with bounded, retried reads. */
export function readableByOrt(blob: Blob, stallMs = READ_STALL_MS): Blob {
  return new RetryingReadBlob(blob, stallMs);
}

/**
 * Weight files up to this size are read whole (with the same bounded reads) before the session is created. Given a
 * Blob, onnxruntime's JSPI build reads it tensor by tensor, suspending WebAssembly for each read: in Chromium that
 * made creating kontext-micro's DiT (30 MB of weights) take 3.5 s instead of 1.0 s. Larger files stay Blobs, so a
 * tab never holds a multi-GB weight file in JS memory on top of onnxruntime's own copy.
 */
const READ_WHOLE_BYTES = 64 * 2 ** 20;

/** Whether weightsForOrt reads a file of `bytes` into memory (else onnxruntime reads it as a Blob). */
export function readsWhole(bytes: number, wholeBytes = READ_WHOLE_BYTES): boolean {
  return bytes <= wholeBytes;
}

/** How a weight file read whole gets into memory: {@link readWhole} on this thread, or another's (readsWorker.ts). */
export type WholeReader = (blob: Blob) => Promise<Uint8Array>;

/**
 * A weight file as onnxruntime's `externalData` should get it: its bytes when small (read by `read`, else here),
 * else {@link readableByOrt}.
 */
export async function weightsForOrt(
  blob: Blob,
  {
    wholeBytes = READ_WHOLE_BYTES,
    stallMs = READ_STALL_MS,
    read,
  }: { wholeBytes?: number; stallMs?: number; read?: WholeReader } = {},
): Promise<Uint8Array | Blob> {
  if (!readsWhole(blob.size, wholeBytes)) return readableByOrt(blob, stallMs);
  return read ? read(blob) : readWhole(blob, stallMs);
}

/** A weight file's bytes, read on this thread through the bounded, retried reads of {@link readableByOrt}. */
export function readWhole(blob: Blob, stallMs = READ_STALL_MS): Promise<Uint8Array> {
  return readInto(new Uint8Array(blob.size), readableByOrt(blob, stallMs).stream().getReader());
}

/**
 * Fills `bytes` from `reader`, which must give exactly that many. Copying each chunk into one buffer sized up front
 * reads an IndexedDB Blob 2–3× faster in Chromium than `new Response(stream).arrayBuffer()` (30 MB: 0.2 vs 0.6–0.8 s).
 */
async function readInto(bytes: Uint8Array, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array> {
  let offset = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (offset + value.byteLength > bytes.byteLength) {
      void reader.cancel().catch(() => undefined);
      throw new Error(`a weights file gave more bytes than its ${bytes.byteLength}`);
    }
    bytes.set(value, offset);
    offset += value.byteLength;
  }
  if (offset !== bytes.byteLength) throw new Error(`a weights file ended at byte ${offset} of ${bytes.byteLength}`);
  return bytes;
}
