/**
 * @file Test images and files made in Node (nothing binary is committed): PNGs, a real 16000×16000 PNG that
 * is only a few KB (1-bit), and the bad files of the bad-input tests.
 */
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** A PNG from raw rows: colour type 0 (grey) or 2 (RGB) or 6 (RGBA), bit depth 8 unless given. */
export function rawPng(
  width: number,
  height: number,
  colorType: 0 | 2 | 6,
  rows: (y: number) => Buffer,
  bitDepth = 8,
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([bitDepth, colorType, 0, 0, 0], 8);
  const raw = Buffer.concat(Array.from({ length: height }, (_, y) => Buffer.concat([Buffer.from([0]), rows(y)])));
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An opaque RGB test picture: a gradient with a coloured square, so crops and shifts would show. */
export function photoPng(width = 96, height = 64, tint: [number, number, number] = [40, 90, 200]): Buffer {
  return rawPng(width, height, 2, (y) => {
    const row = Buffer.alloc(width * 3);
    for (let x = 0; x < width; x++) {
      const inSquare = x > width / 3 && x < (2 * width) / 3 && y > height / 4 && y < (3 * height) / 4;
      row.set(inSquare ? tint : [(x * 255) / width, (y * 255) / height, 128], x * 3);
    }
    return row;
  });
}

/** A one-channel mask PNG (what the app stores masks as). */
export function maskPng(width: number, height: number, value: (x: number, y: number) => number): Buffer {
  return rawPng(width, height, 0, (y) => Buffer.from(Array.from({ length: width }, (_, x) => value(x, y))));
}

/** A valid 16000×16000 PNG (1-bit grey, ~25 KB): decoding it would need a gigabyte. */
export function hugePng(): Buffer {
  const side = 16000;
  const row = Buffer.alloc(side / 8);
  return rawPng(side, side, 0, () => row, 1);
}

/** RGBA pixels of a PNG. */
export function readPng(bytes: Buffer): { width: number; height: number; data: Buffer } {
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height, data: png.data };
}

export const BAD_FILES = {
  textAsPng: {
    name: 'holiday.png',
    mimeType: 'image/png',
    buffer: Buffer.from('Dear diary, today I renamed a text file.\n'),
  },
  empty: { name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) },
  tiny: { name: 'dot.png', mimeType: 'image/png', buffer: rawPng(1, 1, 2, () => Buffer.from([255, 0, 0])) },
  svg: {
    name: 'logo.svg',
    mimeType: 'image/svg+xml',
    buffer: Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30" fill="red"/></svg>',
    ),
  },
};
