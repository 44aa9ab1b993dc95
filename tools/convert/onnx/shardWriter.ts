/**
 * @file ShardWriter: an ExternalDataSink that appends initializer bytes to shard files of a BundleSink as
 * they are produced, so converters for multi-GB models stream instead of buffering.
 */
import type { BundleSink, SinkFile } from '../io/bundleSink';
import {
  ShardLayout,
  trackReserved,
  type ExternalDataSink,
  type ReservedData,
  type ShardLayoutOptions,
} from './externalData';
import type { ExternalDataRef } from './proto';

/** Writes `<dataFileName>`, `<dataFileName>.1`, … into `sink`. */
export class ShardWriter implements ExternalDataSink {
  private readonly layout: ShardLayout;
  private readonly files: SinkFile[] = [];
  private readonly fileNames: string[] = [];
  private closed = false;

  constructor(
    readonly sink: BundleSink,
    options: ShardLayoutOptions,
  ) {
    this.layout = new ShardLayout(options);
  }

  append(bytes: Uint8Array): ExternalDataRef {
    const reserved = this.reserve(bytes.length);
    reserved.write(bytes);
    return reserved.ref;
  }

  reserve(length: number): ReservedData {
    if (this.closed) throw new Error(`ShardWriter for ${this.layout.dataFileName} is closed`);
    const p = this.layout.place(length);
    if (p.index === this.files.length) {
      this.files.push(this.sink.create(p.location));
      this.fileNames.push(p.location);
    }
    const file = this.files[p.index]!;
    if (p.padding > 0) file.write(new Uint8Array(p.padding));
    return trackReserved({ location: p.location, offset: p.offset, length }, (piece) => file.write(piece));
  }

  /** Names of the shard files written so far, relative to the bundle root. */
  getFileNames(): string[] {
    return [...this.fileNames];
  }

  /** Closes every shard file; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const f of this.files) f.close();
  }
}
