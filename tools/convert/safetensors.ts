/**
 * @file Streaming safetensors reader (pure: bytes come through a ByteSource, so a Node file handle and a
 * browser `File` both work): parses and validates the header, lists tensors and reads one tensor at a time
 * with positioned reads, never the whole file. A folder of shards (`model.safetensors.index.json`) and a
 * single file sit behind the same TensorSource interface.
 */
import { getDirName, joinPath, readExactly, readText, type ByteSource, type InputFolder } from './io/inputFolder';
import {
  convertToFloat32,
  convertToInt32,
  DTYPE_BYTES,
  isSafetensorsDtype,
  type SafetensorsDtype,
} from './safetensorsDtypes';

/** Where one tensor lives. */
export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** File that holds the tensor. */
  file: string;
  /** Absolute byte offset of the tensor's data in `file`. */
  byteOffset: number;
  byteLength: number;
}

/** A set of named tensors readable one at a time. */
export interface TensorSource {
  /** The file or folder this source was opened from. */
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
  listTensors(): TensorInfo[];
  hasTensor(name: string): boolean;
  /** @throws Error naming the source when the tensor is missing. */
  getTensorInfo(name: string): TensorInfo;
  /** Raw little-endian bytes of one tensor. */
  readBytes(name: string): Promise<Uint8Array>;
  /** One tensor as float32 (from F32, F16, BF16, F64 and integer dtypes). */
  readFloat32(name: string): Promise<Float32Array>;
  /** One tensor as int32 (from I32, I64 in range, and smaller integer dtypes). */
  readInt32(name: string): Promise<Int32Array>;
  /**
   * Rows `start` … `start + count − 1` of a tensor (along its first axis) as float32, where the source reads
   * them alone; absent where tensors exist only whole (decoded, merged). {@link makeRowReader} uses either.
   */
  readFloat32Rows?(name: string, start: number, count: number): Promise<Float32Array>;
  close(): Promise<void>;
}

/**
 * Reads tensor `name` of `src` a slab of rows at a time: with the source's own row reads, or, for a source
 * without them, from one whole read (kept until the reader is dropped).
 */
export function makeRowReader(
  src: TensorSource,
  name: string,
): (start: number, count: number) => Promise<Float32Array> {
  if (src.readFloat32Rows) return (start, count) => src.readFloat32Rows!(name, start, count);
  const rowValues = src
    .getTensorInfo(name)
    .shape.slice(1)
    .reduce((a, d) => a * d, 1);
  let whole: Promise<Float32Array> | null = null;
  return async (start, count) =>
    (await (whole ??= src.readFloat32(name))).subarray(start * rowValues, (start + count) * rowValues);
}

/**
 * `src` with some reads replaced: the paced, dequantised and LoRA-merged views of a source. Row reads pass
 * through only while float reads do: a view that changes the values reads whole.
 */
export function forwardTensorSource(
  src: TensorSource,
  overrides: Partial<Pick<TensorSource, 'readBytes' | 'readFloat32' | 'readInt32' | 'readFloat32Rows'>>,
): TensorSource {
  const rows = src.readFloat32Rows && !overrides.readFloat32 ? src.readFloat32Rows.bind(src) : undefined;
  return {
    path: src.path,
    metadata: src.metadata,
    listTensors: () => src.listTensors(),
    hasTensor: (name) => src.hasTensor(name),
    getTensorInfo: (name) => src.getTensorInfo(name),
    readBytes: (name) => src.readBytes(name),
    readFloat32: (name) => src.readFloat32(name),
    readInt32: (name) => src.readInt32(name),
    ...(rows ? { readFloat32Rows: rows } : {}),
    close: () => src.close(),
    ...overrides,
  };
}

/** Thrown for files that are not valid safetensors; the message names the file. */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** The safetensors format caps the JSON header at 100 MB. */
const MAX_HEADER_BYTES = 100_000_000;

/** Index file name used by Hugging Face sharded checkpoints (diffusers: `diffusion_pytorch_model.safetensors.index.json`). */
const INDEX_FILE_NAME = 'model.safetensors.index.json';
const INDEX_SUFFIX = '.safetensors.index.json';

/**
 * Opens one .safetensors file and validates its header.
 * @throws SafetensorsError for non-safetensors, truncated files, bad offsets or unknown dtypes.
 */
export async function openSafetensorsFile(handle: ByteSource): Promise<TensorSource> {
  try {
    const { tensors, metadata } = await readHeader(handle, handle.path, handle.size);
    return new SafetensorsFile(handle.path, handle, tensors, metadata);
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/**
 * Opens a .safetensors file, an index JSON, or a folder holding either an index or exactly one
 * .safetensors file.
 * @throws SafetensorsError when the folder is ambiguous or an index entry is missing from its shard.
 */
export async function openTensorSource(folder: InputFolder, path: string): Promise<TensorSource> {
  if (path.endsWith('.json')) return openIndex(folder, path);
  if (!folder.isDir(path)) return openSafetensorsFile(await folder.open(path));
  const entries = folder.list(path);
  const index = entries.find((e) => e.endsWith(INDEX_SUFFIX));
  if (index !== undefined) return openIndex(folder, joinPath(path, index));
  const files = entries.filter((e) => e.endsWith('.safetensors')).sort();
  if (files.length === 1) return openSafetensorsFile(await folder.open(joinPath(path, files[0]!)));
  throw new SafetensorsError(
    files.length === 0
      ? `${path}: no .safetensors file and no ${INDEX_FILE_NAME}`
      : `${path}: ${files.length} .safetensors files (${files.join(', ')}) and no ${INDEX_FILE_NAME}; open one file`,
  );
}

async function openIndex(folder: InputFolder, indexFile: string): Promise<TensorSource> {
  let weightMap: Record<string, unknown>;
  let metadata: Record<string, string> = {};
  try {
    const json: unknown = JSON.parse(await readText(folder, indexFile));
    if (!isRecord(json) || !isRecord(json.weight_map)) throw new Error('no weight_map object');
    weightMap = json.weight_map;
    if (isRecord(json.metadata)) metadata = toStringMap(json.metadata);
  } catch (e) {
    throw new SafetensorsError(`${indexFile} is not a safetensors index: ${(e as Error).message}`);
  }
  const shardNames = [...new Set(Object.values(weightMap))];
  const bad = shardNames.find((s) => typeof s !== 'string' || s.includes('/') || s.includes('\\'));
  if (bad !== undefined)
    throw new SafetensorsError(`${indexFile}: weight_map points to an invalid file ${JSON.stringify(bad)}`);
  const shards = new Map<string, TensorSource>();
  try {
    for (const s of shardNames as string[])
      shards.set(s, await openSafetensorsFile(await folder.open(joinPath(getDirName(indexFile), s))));
  } catch (e) {
    await Promise.all([...shards.values()].map((src) => src.close()));
    throw e;
  }
  const byName = new Map<string, TensorSource>();
  for (const [name, shard] of Object.entries(weightMap) as [string, string][]) {
    const src = shards.get(shard) as TensorSource;
    if (!src.hasTensor(name)) {
      await Promise.all([...shards.values()].map((x) => x.close()));
      throw new SafetensorsError(`${indexFile}: tensor '${name}' is mapped to ${shard}, which does not contain it`);
    }
    byName.set(name, src);
  }
  return new ShardedSource(getDirName(indexFile), metadata, byName, [...shards.values()]);
}

async function readHeader(
  handle: ByteSource,
  file: string,
  size: number,
): Promise<{ tensors: Map<string, TensorInfo>; metadata: Record<string, string> }> {
  const fail = (what: string): never => {
    throw new SafetensorsError(`${file}: ${what}`);
  };
  if (size < 8) fail(`not a safetensors file (only ${size} bytes)`);
  const prefix = await readAll(handle, 0, 8);
  const headerLength = Number(new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true));
  if (headerLength < 2 || headerLength > MAX_HEADER_BYTES)
    fail(`not a safetensors file (header length ${headerLength})`);
  if (8 + headerLength > size)
    fail(`truncated: header needs ${headerLength} bytes, file has ${size - 8} after the prefix`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readAll(handle, 8, headerLength)));
  } catch {
    fail('not a safetensors file (header is not UTF-8 JSON)');
  }
  if (!isRecord(header)) return fail('not a safetensors file (header is not a JSON object)');
  const dataStart = 8 + headerLength;
  const dataSize = size - dataStart;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = isRecord(entry) ? toStringMap(entry) : fail('__metadata__ is not an object');
      continue;
    }
    if (!isRecord(entry)) return fail(`tensor '${name}' has no header entry object`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (!isSafetensorsDtype(dtype)) return fail(`tensor '${name}' has unknown dtype ${JSON.stringify(dtype)}`);
    if (!isIntArray(shape)) return fail(`tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    if (!isOffsetPair(offsets) || offsets[0] > offsets[1]) {
      return fail(`tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets;
    const expected = shape.reduce((n, d) => n * d, 1) * DTYPE_BYTES[dtype];
    if (end - begin !== expected) {
      fail(
        `tensor '${name}' data_offsets [${begin}, ${end}] hold ${end - begin} bytes, shape [${shape}] of ${dtype} needs ${expected}`,
      );
    }
    if (end > dataSize) {
      fail(
        `tensor '${name}' data_offsets [${begin}, ${end}] are out of range: the data section has ${dataSize} bytes (truncated file?)`,
      );
    }
    tensors.set(name, { name, dtype, shape, file, byteOffset: dataStart + begin, byteLength: end - begin });
  }
  return { tensors, metadata };
}

class SafetensorsFile implements TensorSource {
  constructor(
    readonly path: string,
    private readonly handle: ByteSource,
    private readonly tensors: Map<string, TensorInfo>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {}

  listTensors(): TensorInfo[] {
    return [...this.tensors.values()];
  }

  hasTensor(name: string): boolean {
    return this.tensors.has(name);
  }

  getTensorInfo(name: string): TensorInfo {
    const info = this.tensors.get(name);
    if (!info) throw new SafetensorsError(`${this.path}: no tensor named '${name}'`);
    return info;
  }

  async readBytes(name: string): Promise<Uint8Array> {
    const info = this.getTensorInfo(name);
    return readAll(this.handle, info.byteOffset, info.byteLength);
  }

  async readFloat32(name: string): Promise<Float32Array> {
    return convertToFloat32(await this.readBytes(name), this.getTensorInfo(name).dtype, `${this.path}: ${name}`);
  }

  async readInt32(name: string): Promise<Int32Array> {
    return convertToInt32(await this.readBytes(name), this.getTensorInfo(name).dtype, `${this.path}: ${name}`);
  }

  async readFloat32Rows(name: string, start: number, count: number): Promise<Float32Array> {
    const info = this.getTensorInfo(name);
    const rows = info.shape[0] ?? 1;
    if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= rows))
      throw new SafetensorsError(`${this.path}: rows ${start}…${start + count - 1} of '${name}', which has ${rows}`);
    const rowBytes = info.byteLength / rows;
    const bytes = await readAll(this.handle, info.byteOffset + start * rowBytes, count * rowBytes);
    return convertToFloat32(bytes, info.dtype, `${this.path}: ${name}`);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

class ShardedSource implements TensorSource {
  constructor(
    readonly path: string,
    readonly metadata: Readonly<Record<string, string>>,
    private readonly byName: Map<string, TensorSource>,
    private readonly shards: TensorSource[],
  ) {}

  listTensors(): TensorInfo[] {
    return [...this.byName].map(([name, src]) => src.getTensorInfo(name));
  }

  hasTensor(name: string): boolean {
    return this.byName.has(name);
  }

  getTensorInfo(name: string): TensorInfo {
    return this.getShard(name).getTensorInfo(name);
  }

  readBytes(name: string): Promise<Uint8Array> {
    return this.getShard(name).readBytes(name);
  }

  readFloat32(name: string): Promise<Float32Array> {
    return this.getShard(name).readFloat32(name);
  }

  readInt32(name: string): Promise<Int32Array> {
    return this.getShard(name).readInt32(name);
  }

  readFloat32Rows(name: string, start: number, count: number): Promise<Float32Array> {
    return this.getShard(name).readFloat32Rows!(name, start, count); // shards are safetensors files
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.close()));
  }

  private getShard(name: string): TensorSource {
    const src = this.byName.get(name);
    if (!src) throw new SafetensorsError(`${this.path}/${INDEX_FILE_NAME}: no tensor named '${name}'`);
    return src;
  }
}

async function readAll(handle: ByteSource, position: number, length: number): Promise<Uint8Array> {
  try {
    return await readExactly(handle, position, length);
  } catch (e) {
    throw new SafetensorsError((e as Error).message);
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isIntArray(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((v) => Number.isSafeInteger(v) && v >= 0);
}

function isOffsetPair(x: unknown): x is [number, number] {
  return isIntArray(x) && x.length === 2;
}

function toStringMap(x: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, String(v)]));
}
