/**
 * @file ShardWriter: an ExternalDataSink that appends initializer bytes to shard files on disk as
 * they are produced, so converters for multi-GB models stream instead of buffering (Node only).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ShardLayout, type ExternalDataSink, type ShardLayoutOptions } from './externalData';
import type { ExternalDataRef } from './proto';

/** Writes `<dataFileName>`, `<dataFileName>.1`, … under `outDir`, truncating existing files. */
export class ShardWriter implements ExternalDataSink {
  readonly outDir: string;
  private readonly layout: ShardLayout;
  private readonly fds: number[] = [];
  private readonly fileNames: string[] = [];
  private closed = false;

  constructor(outDir: string, options: ShardLayoutOptions) {
    this.outDir = outDir;
    this.layout = new ShardLayout(options);
    mkdirSync(outDir, { recursive: true });
  }

  append(bytes: Uint8Array): ExternalDataRef {
    if (this.closed) throw new Error(`ShardWriter for ${this.layout.dataFileName} is closed`);
    const p = this.layout.place(bytes.length);
    if (p.index === this.fds.length) {
      this.fds.push(openSync(join(this.outDir, p.location), 'w'));
      this.fileNames.push(p.location);
    }
    const fd = this.fds[p.index]!;
    if (p.padding > 0) writeFully(fd, new Uint8Array(p.padding));
    writeFully(fd, bytes);
    return { location: p.location, offset: p.offset, length: bytes.length };
  }

  /** Names of the shard files written so far, relative to outDir. */
  getFileNames(): string[] {
    return [...this.fileNames];
  }

  /** Closes every shard file; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of this.fds) closeSync(fd);
  }
}

function writeFully(fd: number, bytes: Uint8Array): void {
  // writeSync may write less than asked (large buffers, some filesystems).
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}
