/**
 * @file Minimal protobuf wire-format encoder, pure TypeScript over Uint8Array (the decoder lives in
 * workers/bundle/protobufDecode.ts, which the browser worker uses too).
 * Only what ONNX needs: varints (incl. negative int64), fixed32 floats, length-delimited fields.
 */

/** Protobuf wire types (proto encoding spec). */
const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

const textEncoder = new TextEncoder();

/** Append-only protobuf message writer; nested messages are encoded first and embedded as bytes. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(64);
  private used = 0;
  private total = 0;

  /** Writes a raw varint (no tag). Accepts non-negative or negative safe integers and bigints. */
  writeVarint(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value <= 0xffffffff && Number.isInteger(value)) {
      // Fast path: fits in 32 bits, so the shifts below are exact.
      let v = value >>> 0;
      this.reserve(5);
      while (v > 0x7f) {
        this.scratch[this.used++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.scratch[this.used++] = v;
      return;
    }
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new RangeError(`protobuf varint: ${value} is not a safe integer`);
    }
    // int64 semantics: negatives are encoded as their 64-bit two's complement (10 bytes).
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v > 0x7fn) {
      this.scratch[this.used++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.scratch[this.used++] = Number(v);
  }

  /** Writes a field tag. */
  writeTag(field: number, wireType: number): void {
    this.writeVarint(field * 8 + wireType);
  }

  /** Writes a varint field (int32, int64, enum, bool). */
  writeVarintField(field: number, value: number | bigint): void {
    this.writeTag(field, WireType.varint);
    this.writeVarint(value);
  }

  /** Writes a float field as fixed32. */
  writeFloatField(field: number, value: number): void {
    this.writeTag(field, WireType.fixed32);
    this.writeFloat32(value);
  }

  /** Writes a length-delimited bytes field. */
  writeBytesField(field: number, bytes: Uint8Array): void {
    this.writeTag(field, WireType.lengthDelimited);
    this.writeVarint(bytes.length);
    this.appendBytes(bytes);
  }

  /** Writes a UTF-8 string field. */
  writeStringField(field: number, value: string): void {
    this.writeBytesField(field, textEncoder.encode(value));
  }

  /** Writes an embedded message field from a callback that fills a fresh writer. */
  writeMessageField(field: number, fill: (w: ProtoWriter) => void): void {
    const inner = new ProtoWriter();
    fill(inner);
    this.writeBytesField(field, inner.finish());
  }

  /** Writes a packed repeated fixed32 float field. */
  writePackedFloats(field: number, values: ArrayLike<number>): void {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    this.writeBytesField(field, bytes);
  }

  /** Writes a packed repeated varint field. */
  writePackedVarints(field: number, values: ArrayLike<number | bigint>): void {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.writeVarint(values[i]!);
    this.writeBytesField(field, inner.finish());
  }

  /** Returns the encoded message. The writer must not be used afterwards. */
  finish(): Uint8Array {
    this.flushScratch();
    if (this.chunks.length === 1) return this.chunks[0]!;
    const out = new Uint8Array(this.total);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private writeFloat32(value: number): void {
    this.reserve(4);
    new DataView(this.scratch.buffer).setFloat32(this.used, value, true);
    this.used += 4;
  }

  private appendBytes(bytes: Uint8Array): void {
    if (bytes.length <= 256) {
      this.reserve(bytes.length);
      this.scratch.set(bytes, this.used);
      this.used += bytes.length;
      return;
    }
    this.flushScratch();
    this.chunks.push(bytes);
    this.total += bytes.length;
  }

  private reserve(n: number): void {
    if (this.used + n <= this.scratch.length) return;
    this.flushScratch();
    if (n > this.scratch.length) this.scratch = new Uint8Array(n);
  }

  private flushScratch(): void {
    if (this.used === 0) return;
    this.chunks.push(this.scratch.slice(0, this.used));
    this.total += this.used;
    this.used = 0;
    this.scratch = new Uint8Array(Math.max(this.scratch.length, 4096));
  }
}
