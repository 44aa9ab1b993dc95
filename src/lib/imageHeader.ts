/**
 * @file Reads an image file's format and pixel size from its first bytes, without decoding it, so that a
 * 16000×16000 PNG is refused before the browser allocates a gigabyte for its pixels.
 */

type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp' | 'svg';

/** What the header says; width/height are null when the format is known but its size could not be read. */
export interface ImageHeader {
  format: ImageFormat;
  width: number | null;
  height: number | null;
}

const ascii = (b: Uint8Array, start: number, end: number) => String.fromCharCode(...b.subarray(start, end));

function readJpegSize(b: Uint8Array): { width: number; height: number } | null {
  let pos = 2;
  while (pos + 4 <= b.length) {
    if (b[pos] !== 0xff) return null;
    const marker = b[pos + 1]!;
    if (marker === 0xff) {
      pos++;
      continue;
    } // fill byte
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    const length = (b[pos + 2]! << 8) | b[pos + 3]!;
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (pos + 9 > b.length) return null;
      return { height: (b[pos + 5]! << 8) | b[pos + 6]!, width: (b[pos + 7]! << 8) | b[pos + 8]! };
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image / start of scan before any frame
    pos += 2 + length;
  }
  return null;
}

function readWebpSize(b: Uint8Array): { width: number; height: number } | null {
  const kind = ascii(b, 12, 16);
  if (kind === 'VP8 ' && b.length >= 30)
    return { width: ((b[27]! << 8) | b[26]!) & 0x3fff, height: ((b[29]! << 8) | b[28]!) & 0x3fff };
  if (kind === 'VP8L' && b.length >= 25) {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (kind === 'VP8X') {
    if (b.length < 30) return null;
    return {
      width: 1 + (b[24]! | (b[25]! << 8) | (b[26]! << 16)),
      height: 1 + (b[27]! | (b[28]! << 8) | (b[29]! << 16)),
    };
  }
  return null;
}

function looksLikeSvg(b: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false })
    .decode(b.subarray(0, 1024))
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  return (
    head.startsWith('<svg') ||
    ((head.startsWith('<?xml') || head.startsWith('<!doctype svg') || head.startsWith('<!--')) && head.includes('<svg'))
  );
}

/**
 * Identifies an image by its magic bytes and reads its size from the header.
 * @param bytes - the file's first bytes (64 KiB is plenty: JPEG frame headers may follow large EXIF blocks)
 * @returns null when the bytes are not an image format we know.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const b = bytes;
  if (b.length >= 24 && b[0] === 0x89 && ascii(b, 1, 4) === 'PNG') {
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (ascii(b, 12, 16) !== 'IHDR') return { format: 'png', width: null, height: null };
    return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    const size = readJpegSize(b);
    return { format: 'jpeg', width: size?.width ?? null, height: size?.height ?? null };
  }
  if (b.length >= 16 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') {
    const size = readWebpSize(b);
    return { format: 'webp', width: size?.width ?? null, height: size?.height ?? null };
  }
  if (b.length >= 10 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) {
    return { format: 'gif', width: b[6]! | (b[7]! << 8), height: b[8]! | (b[9]! << 8) };
  }
  if (b.length >= 26 && ascii(b, 0, 2) === 'BM') {
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return { format: 'bmp', width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
  }
  if (looksLikeSvg(b)) return { format: 'svg', width: null, height: null };
  return null;
}
