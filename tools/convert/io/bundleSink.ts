/**
 * @file Where the converter writes a bundle (pure interface): files created, appended to and closed in order,
 * hashed as they are written. Node writes into a folder (node/folderSink.ts); the browser writes chunks into
 * the engine's IndexedDB bundle store (workers/convert/storeSink.ts).
 */
import type { FileEntry } from '../../../workers/bundle/manifest';

/** One output file being written. Writes are synchronous for the graph builder; the sink may queue them. */
export interface SinkFile {
  write(bytes: Uint8Array): void;
  close(): void;
}

export interface BundleSink {
  /** Starts `path` (relative to the bundle root) from empty. */
  create(path: string): SinkFile;
  /**
   * Waits until queued writes are stored (the converter calls it before each tensor it reads, which bounds
   * memory to about one tensor plus the sink's buffer) and rethrows a write that failed.
   */
  drain(): Promise<void>;
  /** Size and sha256 of a closed file. */
  describe(path: string): Promise<FileEntry>;
  /** A closed file's bytes (small graphs only: the preview fit reads the AE decoder back). */
  read(path: string): Promise<Uint8Array>;
}

/** Writes one whole file. */
export function writeWholeFile(sink: BundleSink, path: string, bytes: Uint8Array): void {
  const file = sink.create(path);
  file.write(bytes);
  file.close();
}
