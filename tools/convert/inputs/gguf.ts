/**
 * @file GGUF container (spec: ggml's docs/gguf.md, versions 2 and 3): the header — magic "GGUF", version,
 * tensor and metadata counts, typed metadata key/values, tensor infos — and where each tensor's bytes
 * are. Pure TypeScript: bytes come from a `ByteReader`, so a File in a browser worker works as well.
 */
import { GGML_BLOCKS, GGML_TYPE } from './ggmlQuants';

/** Reads `length` bytes at `offset` (fewer only at the end of the file). */
export type ByteReader = (offset: number, length: number) => Promise<Uint8Array>;

/** A GGUF metadata value. */
export type GgufValue = number | bigint | boolean | string | GgufValue[];

/** One tensor: its PyTorch-order shape (GGUF stores ne[0], the fastest dimension, first). */
export interface GgufTensor {
  name: string;
  shape: number[];
  type: number;
  /** Absolute offset of the data in the file, and its length. */
  offset: number;
  byteLength: number;
}

export interface GgufHeader {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensor[];
}

/** A file that is not GGUF or is damaged; the message names it. */
export class GgufError extends Error {
  override name = 'GgufError';
}

const MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const DEFAULT_ALIGNMENT = 32;
const CHUNK = 1 << 20;

/** Bytes per value of the unquantised ggml types. */
const PLAIN_BYTES: Readonly<Record<number, number>> = { [GGML_TYPE.F32]: 4, [GGML_TYPE.F16]: 2, [GGML_TYPE.BF16]: 2 };

/** A forward cursor over a ByteReader that fetches 1 MiB at a time. */
class Cursor {
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  pos = 0;

  constructor(
    private readonly read: ByteReader,
    private readonly size: number,
    private readonly fail: (m: string) => never,
  ) {}

  private async take(n: number): Promise<DataView> {
    if (this.pos + n > this.size) this.fail(`truncated header: needs byte ${this.pos + n}, the file has ${this.size}`);
    if (this.pos < this.start || this.pos + n > this.start + this.buf.length) {
      this.buf = await this.read(this.pos, Math.min(Math.max(n, CHUNK), this.size - this.pos));
      this.start = this.pos;
    }
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos - this.start, n);
    this.pos += n;
    return view;
  }

  async u32(): Promise<number> {
    return (await this.take(4)).getUint32(0, true);
  }

  async u64(): Promise<number> {
    const v = (await this.take(8)).getBigUint64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`a count or offset of ${v} is too large`);
    return Number(v);
  }

  async string(): Promise<string> {
    const n = await this.u64();
    const view = await this.take(n);
    return new TextDecoder().decode(new Uint8Array(view.buffer, view.byteOffset, n));
  }

  async value(type: number): Promise<GgufValue> {
    switch (type) {
      case 0:
        return (await this.take(1)).getUint8(0);
      case 1:
        return (await this.take(1)).getInt8(0);
      case 2:
        return (await this.take(2)).getUint16(0, true);
      case 3:
        return (await this.take(2)).getInt16(0, true);
      case 4:
        return this.u32();
      case 5:
        return (await this.take(4)).getInt32(0, true);
      case 6:
        return (await this.take(4)).getFloat32(0, true);
      case 7:
        return (await this.take(1)).getUint8(0) !== 0;
      case 8:
        return this.string();
      case 9: {
        const itemType = await this.u32();
        const n = await this.u64();
        const items: GgufValue[] = [];
        for (let i = 0; i < n; i++) items.push(await this.value(itemType));
        return items;
      }
      case 10:
        return (await this.take(8)).getBigUint64(0, true);
      case 11:
        return (await this.take(8)).getBigInt64(0, true);
      case 12:
        return (await this.take(8)).getFloat64(0, true);
      default:
        return this.fail(`unknown metadata value type ${type}`);
    }
  }
}

/**
 * Parses the header of a GGUF file of `size` bytes named `path`.
 * @throws GgufError for a wrong magic or version, a truncated header, an unsupported tensor type or data
 *   outside the file.
 */
export async function readGgufHeader(read: ByteReader, size: number, path: string): Promise<GgufHeader> {
  const fail = (m: string): never => {
    throw new GgufError(`${path}: ${m}`);
  };
  const c = new Cursor(read, size, fail);
  if (size < 24 || (await c.u32()) !== MAGIC) fail('not a GGUF file (no "GGUF" magic)');
  const version = await c.u32();
  if (version !== 2 && version !== 3) fail(`GGUF version ${version} is not supported (2 and 3 are)`);
  const tensorCount = await c.u64();
  const kvCount = await c.u64();
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = await c.string();
    metadata.set(key, await c.value(await c.u32()));
  }
  const infos: { name: string; dims: number[]; type: number; offset: number }[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = await c.string();
    const rank = await c.u32();
    const dims: number[] = [];
    for (let k = 0; k < rank; k++) dims.push(await c.u64());
    infos.push({ name, dims, type: await c.u32(), offset: await c.u64() });
  }
  const alignment = Number(metadata.get('general.alignment') ?? DEFAULT_ALIGNMENT);
  const dataStart = Math.ceil(c.pos / alignment) * alignment;
  const tensors = infos.map(({ name, dims, type, offset }) => {
    const count = dims.reduce((n, d) => n * d, 1);
    const byteLength = getTensorBytes(type, dims[0] ?? 1, count, (m) => fail(`tensor '${name}': ${m}`));
    if (dataStart + offset + byteLength > size)
      fail(`tensor '${name}' ends at byte ${dataStart + offset + byteLength}, past the end (${size}): truncated?`);
    return { name, shape: [...dims].reverse(), type, offset: dataStart + offset, byteLength };
  });
  return { version, metadata, tensors };
}

function getTensorBytes(type: number, rowLength: number, count: number, fail: (m: string) => never): number {
  const plain = PLAIN_BYTES[type];
  if (plain !== undefined) return count * plain;
  const block = GGML_BLOCKS[type];
  if (!block) return fail(`ggml type ${type} is not supported (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K are)`);
  if (rowLength % block.values !== 0)
    fail(`rows of ${rowLength} are not whole ${block.name} blocks of ${block.values}`);
  return (count / block.values) * block.bytes;
}
