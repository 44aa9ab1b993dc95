/**
 * @file Back-pressure for the converter: a TensorSource that, before every read, waits for the bundle sink
 * to store what is queued (and checks for a cancel). Memory then holds about one tensor and the sink's
 * buffer, whatever the sink's speed (IndexedDB is slower than the disk).
 */
import type { BundleSink } from '../io/bundleSink';
import { forwardTensorSource, type TensorSource } from '../safetensors';

/** `src`, each read waiting for `sink.drain()` first. */
export function pacedSource(src: TensorSource, sink: BundleSink, signal?: AbortSignal): TensorSource {
  const ready = async () => {
    signal?.throwIfAborted();
    await sink.drain();
  };
  return forwardTensorSource(src, {
    readBytes: async (name) => (await ready(), src.readBytes(name)),
    readFloat32: async (name) => (await ready(), src.readFloat32(name)),
    readInt32: async (name) => (await ready(), src.readInt32(name)),
    // each slab waits too: a streamed tensor holds one slab, not the sink's backlog
    ...(src.readFloat32Rows && {
      readFloat32Rows: async (name, start, count) => (await ready(), src.readFloat32Rows!(name, start, count)),
    }),
  });
}
