/**
 * @file A small, lossless PNG codec for 8-bit grey / RGB / RGBA images, written by hand so that sessions keep
 * exact pixels (a canvas round trip premultiplies alpha) and exports can carry tEXt metadata.
 * Compression uses the platform's CompressionStream('deflate') (zlib framing, as PNG wants); it exists in
 * browsers and in Node ≥ 18, so this module runs in unit tests unchanged.
 */
import type { RgbaImage } from '../../workers/api';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** A PNG that this codec cannot read or that is not a PNG at all. */
export class PngError extends Error {}

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO-HDLC) as PNG chunks use it. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** One chunk: its 4-letter type and its data. */
export interface PngChunk {
  type: string;
  data: Uint8Array;
}

/** True when the bytes start with the PNG signature. */
function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * Splits a PNG file into its chunks, checking every CRC.
 * @throws PngError when the signature, a length or a CRC is wrong.
 */
export function readPngChunks(bytes: Uint8Array): PngChunk[] {
  if (!isPng(bytes)) throw new PngError('not a PNG file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let pos = 8;
  while (pos + 12 <= bytes.length) {
    const length = view.getUint32(pos);
    const end = pos + 12 + length;
    if (end > bytes.length) throw new PngError('truncated PNG chunk');
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (crc32(bytes, pos + 4, pos + 8 + length) !== view.getUint32(pos + 8 + length))
      throw new PngError(`bad CRC in ${type} chunk`);
    chunks.push({ type, data: bytes.slice(pos + 8, pos + 8 + length) });
    pos = end;
    if (type === 'IEND') break;
  }
  return chunks;
}

/** Serialises chunks (after the signature) into a PNG file. */
export function writePngChunks(chunks: readonly PngChunk[]): Uint8Array {
  const total = 8 + chunks.reduce((n, c) => n + 12 + c.data.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(SIGNATURE, 0);
  let pos = 8;
  for (const { type, data } of chunks) {
    view.setUint32(pos, data.length);
    for (let i = 0; i < 4; i++) out[pos + 4 + i] = type.charCodeAt(i);
    out.set(data, pos + 8);
    view.setUint32(pos + 8 + data.length, crc32(out, pos + 4, pos + 8 + data.length));
    pos += 12 + data.length;
  }
  return out;
}

/** Latin-1 only, as tEXt requires; other characters are written as JSON-style \uXXXX escapes. */
function toLatin1(text: string): Uint8Array {
  const safe = text.replace(/[^\x20-\x7e\n]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Uint8Array.from(safe, (c) => c.charCodeAt(0));
}

/** A tEXt chunk: keyword (1–79 Latin-1 characters), a NUL, then the text. */
function makeTextChunk(keyword: string, text: string): PngChunk {
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword)) throw new PngError(`invalid tEXt keyword "${keyword}"`);
  const key = toLatin1(keyword);
  const value = toLatin1(text);
  const data = new Uint8Array(key.length + 1 + value.length);
  data.set(key, 0);
  data.set(value, key.length + 1);
  return { type: 'tEXt', data };
}

/** Inserts tEXt chunks right after IHDR (so readers that stop early still see them). */
export function addPngText(png: Uint8Array, entries: Record<string, string>): Uint8Array {
  const chunks = readPngChunks(png).filter((c) => !(c.type === 'tEXt' && readTextChunk(c)[0] in entries));
  const text = Object.entries(entries).map(([k, v]) => makeTextChunk(k, v));
  return writePngChunks([chunks[0]!, ...text, ...chunks.slice(1)]);
}

function readTextChunk(chunk: PngChunk): [string, string] {
  const nul = chunk.data.indexOf(0);
  const decode = (b: Uint8Array) => String.fromCharCode(...b);
  return [decode(chunk.data.subarray(0, nul)), decode(chunk.data.subarray(nul + 1))];
}

/** Every tEXt entry of a PNG, keyword → text. */
export function readPngText(png: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of readPngChunks(png))
    if (c.type === 'tEXt') {
      const [k, v] = readTextChunk(c);
      out[k] = v;
    }
  return out;
}

async function runStream(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const buffer = await new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream)).arrayBuffer();
  return new Uint8Array(buffer);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a),
    pb = Math.abs(p - b),
    pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Filters every row with the filter (None, Sub, Up or Paeth) whose output has the smallest sum, as libpng does. */
function filterRows(raw: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  const out = new Uint8Array(height * (stride + 1));
  const candidate = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const prev = y > 0 ? row - stride : -1;
    let bestSum = Infinity;
    for (const type of [0, 1, 2, 4]) {
      let sum = 0;
      for (let x = 0; x < stride; x++) {
        const a = x >= bpp ? raw[row + x - bpp]! : 0;
        const b = prev >= 0 ? raw[prev + x]! : 0;
        const c = x >= bpp && prev >= 0 ? raw[prev + x - bpp]! : 0;
        const v = (raw[row + x]! - (type === 0 ? 0 : type === 1 ? a : type === 2 ? b : paeth(a, b, c))) & 0xff;
        candidate[x] = v;
        sum += v < 128 ? v : 256 - v;
      }
      if (sum < bestSum) {
        bestSum = sum;
        out[y * (stride + 1)] = type;
        out.set(candidate, y * (stride + 1) + 1);
      }
    }
  }
  return out;
}

function makeHeader(width: number, height: number, colorType: number): PngChunk {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data.set([8, colorType, 0, 0, 0], 8); // 8 bits, colour type, deflate, adaptive filtering, no interlace
  return { type: 'IHDR', data };
}

/** Encodes an RGBA image losslessly (colour type 6, or 2 when every pixel is opaque). */
export async function encodePng(image: RgbaImage, text: Record<string, string> = {}): Promise<Uint8Array> {
  const { width, height, data } = image;
  let opaque = true;
  for (let i = 3; i < data.length; i += 4)
    if (data[i] !== 255) {
      opaque = false;
      break;
    }
  let raw: Uint8Array = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (opaque) {
    raw = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; i < data.length; i += 4, j += 3) raw.set(data.subarray(i, i + 3), j);
  }
  const idat = await runStream(filterRows(raw, width, height, opaque ? 3 : 4), new CompressionStream('deflate'));
  const textChunks = Object.entries(text).map(([k, v]) => makeTextChunk(k, v));
  return writePngChunks([
    makeHeader(width, height, opaque ? 2 : 6),
    ...textChunks,
    { type: 'IDAT', data: idat },
    { type: 'IEND', data: new Uint8Array() },
  ]);
}

/** Encodes one byte per pixel (a mask) as an 8-bit greyscale PNG. */
export async function encodeGrayPng(width: number, height: number, data: Uint8Array): Promise<Uint8Array> {
  const idat = await runStream(filterRows(data, width, height, 1), new CompressionStream('deflate'));
  return writePngChunks([
    makeHeader(width, height, 0),
    { type: 'IDAT', data: idat },
    { type: 'IEND', data: new Uint8Array() },
  ]);
}

/** A decoded PNG: pixels with `channels` bytes each (1 grey, 3 RGB, 4 RGBA). */
export interface DecodedPng {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

/**
 * Decodes an 8-bit, non-interlaced grey / RGB / RGBA PNG (what {@link encodePng} writes).
 * @throws PngError for anything else.
 */
export async function decodePng(bytes: Uint8Array): Promise<DecodedPng> {
  const chunks = readPngChunks(bytes);
  const ihdr = chunks[0];
  if (ihdr?.type !== 'IHDR') throw new PngError('PNG without IHDR');
  if (ihdr.data.length < 13) throw new PngError('truncated PNG header');
  const view = new DataView(ihdr.data.buffer, ihdr.data.byteOffset);
  const width = view.getUint32(0),
    height = view.getUint32(4);
  const depth = view.getUint8(8),
    colorType = view.getUint8(9),
    interlace = view.getUint8(12);
  const channels = ({ 0: 1, 2: 3, 6: 4 } as Record<number, 1 | 3 | 4>)[colorType];
  if (depth !== 8 || !channels || interlace !== 0)
    throw new PngError(`unsupported PNG (bit depth ${depth}, colour type ${colorType}, interlace ${interlace})`);
  const idat = chunks.filter((c) => c.type === 'IDAT');
  const joined = new Uint8Array(idat.reduce((n, c) => n + c.data.length, 0));
  idat.reduce((pos, c) => (joined.set(c.data, pos), pos + c.data.length), 0);
  const filtered = await runStream(joined, new DecompressionStream('deflate'));
  const stride = width * channels;
  if (filtered.length < height * (stride + 1)) throw new PngError('PNG pixel data is truncated');
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const type = filtered[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1,
      row = y * stride,
      prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[row + x - channels]! : 0;
      const b = y > 0 ? out[prev + x]! : 0;
      const c = x >= channels && y > 0 ? out[prev + x - channels]! : 0;
      const pred =
        type === 0 ? 0 : type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >> 1 : type === 4 ? paeth(a, b, c) : -1;
      if (pred < 0) throw new PngError(`bad PNG filter type ${type}`);
      out[row + x] = (filtered[src + x]! + pred) & 0xff;
    }
  }
  return { width, height, channels, data: out };
}

/** Decodes a PNG to RGBA (grey and RGB are expanded, alpha 255). */
export async function decodePngToRgba(bytes: Uint8Array): Promise<RgbaImage> {
  const png = await decodePng(bytes);
  if (png.channels === 4) return { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data.buffer) };
  const data = new Uint8ClampedArray(png.width * png.height * 4);
  for (let i = 0, j = 0; i < data.length; i += 4, j += png.channels) {
    data[i] = png.data[j]!;
    data[i + 1] = png.data[j + (png.channels === 3 ? 1 : 0)]!;
    data[i + 2] = png.data[j + (png.channels === 3 ? 2 : 0)]!;
    data[i + 3] = 255;
  }
  return { width: png.width, height: png.height, data };
}
