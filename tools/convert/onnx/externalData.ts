/**
 * @file External-data shard layout (pure): where each initializer's bytes go in
 * `<graph>.onnx.data`, `.data.1`, `.data.2`, … Used by the in-memory sink here and by the
 * streaming file writer in ./shardWriter.ts.
 */
import type { ExternalDataRef } from './proto';

/** Largest shard the graph contract allows. */
export const DEFAULT_MAX_SHARD_BYTES = 512 * 1024 * 1024;

/** Offsets are padded to this many bytes; ORT accepts any alignment, 64 keeps SIMD copies happy. */
export const DEFAULT_ALIGN_BYTES = 64;

/** Something that accepts initializer bytes and says where they were put. */
export interface ExternalDataSink {
  /** Stores `bytes` and returns their location; the caller may drop `bytes` afterwards. */
  append(bytes: Uint8Array): ExternalDataRef;
  /**
   * Places a tensor of `length` bytes whose bytes come in pieces, in order, through `write` (a weight converted
   * a slab of rows at a time). Nothing else may be appended until they all have.
   */
  reserve(length: number): ReservedData;
}

/** A placed tensor being written piece by piece. */
export interface ReservedData {
  ref: ExternalDataRef;
  write(piece: Uint8Array): void;
}

/** Checks that the pieces written to a reserved tensor add up to its length, and no more. */
export function trackReserved(ref: ExternalDataRef, write: (piece: Uint8Array) => void): ReservedData {
  let written = 0;
  return {
    ref,
    write(piece) {
      written += piece.length;
      if (written > ref.length)
        throw new RangeError(`${ref.location}: ${written} bytes written to a tensor of ${ref.length}`);
      write(piece);
    },
  };
}

/** Options shared by every sink. */
export interface ShardLayoutOptions {
  /** First shard's file name, e.g. `preview_encoder.onnx.data`; later ones get `.1`, `.2`, … */
  dataFileName: string;
  maxShardBytes?: number;
  alignBytes?: number;
}

/** One finished external-data file. */
export interface ExternalShard {
  fileName: string;
  bytes: Uint8Array;
}

/** Where one append lands. */
export interface ShardPlacement {
  index: number;
  location: string;
  offset: number;
  /** Zero bytes to write before the data so that `offset` is aligned. */
  padding: number;
}

/** Returns the file name of shard `index` (0 → the base name). */
function getShardFileName(dataFileName: string, index: number): string {
  return index === 0 ? dataFileName : `${dataFileName}.${index}`;
}

/** Decides shard and offset for each appended tensor, opening a new shard when one would overflow. */
export class ShardLayout {
  readonly dataFileName: string;
  readonly maxShardBytes: number;
  readonly alignBytes: number;
  private index = 0;
  private size = 0;

  constructor(options: ShardLayoutOptions) {
    this.dataFileName = options.dataFileName;
    this.maxShardBytes = options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
    this.alignBytes = options.alignBytes ?? DEFAULT_ALIGN_BYTES;
    if (!(this.alignBytes >= 1 && Number.isInteger(this.alignBytes))) {
      throw new RangeError(`alignBytes must be a positive integer, got ${this.alignBytes}`);
    }
  }

  /**
   * Places `length` bytes.
   * @throws RangeError when one tensor alone exceeds maxShardBytes (the contract caps shard size).
   */
  place(length: number): ShardPlacement {
    if (length > this.maxShardBytes) {
      throw new RangeError(
        `tensor of ${length} bytes exceeds maxShardBytes (${this.maxShardBytes}) for ${this.dataFileName}`,
      );
    }
    let offset = alignUp(this.size, this.alignBytes);
    if (this.size > 0 && offset + length > this.maxShardBytes) {
      this.index += 1;
      this.size = 0;
      offset = 0;
    }
    const padding = offset - this.size;
    this.size = offset + length;
    return { index: this.index, location: getShardFileName(this.dataFileName, this.index), offset, padding };
  }
}

/** Keeps shards in memory; fine for small graphs and tests, not for a 12B model. */
export class MemoryShardSink implements ExternalDataSink {
  private readonly layout: ShardLayout;
  private readonly chunks: Uint8Array[][] = [];

  constructor(options: ShardLayoutOptions) {
    this.layout = new ShardLayout(options);
  }

  append(bytes: Uint8Array): ExternalDataRef {
    const reserved = this.reserve(bytes.length);
    reserved.write(bytes);
    return reserved.ref;
  }

  reserve(length: number): ReservedData {
    const p = this.layout.place(length);
    const shard = (this.chunks[p.index] ??= []);
    if (p.padding > 0) shard.push(new Uint8Array(p.padding));
    return trackReserved({ location: p.location, offset: p.offset, length }, (piece) => shard.push(piece.slice()));
  }

  /** Returns the shards written so far, concatenated. */
  getShards(): ExternalShard[] {
    return this.chunks.map((parts, index) => ({
      fileName: getShardFileName(this.layout.dataFileName, index),
      bytes: concatBytes(parts),
    }));
  }
}

function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
