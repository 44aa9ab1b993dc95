import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  addPngText,
  crc32,
  decodePng,
  decodePngToRgba,
  encodeGrayPng,
  encodePng,
  PngError,
  readPngChunks,
  readPngText,
} from './png';

function noiseImage(width: number, height: number, alpha = true) {
  const data = new Uint8ClampedArray(width * height * 4);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (i & 3) === 3 && !alpha ? 255 : (s >>> 16) & 0xff;
  }
  return { width, height, data };
}

describe('png', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips RGBA and opaque RGB exactly, and pngjs reads what we write', async () => {
    for (const alpha of [true, false]) {
      const image = noiseImage(37, 21, alpha);
      const bytes = await encodePng(image);
      const back = await decodePngToRgba(bytes);
      expect(back.width).toBe(37);
      expect(Array.from(back.data)).toEqual(Array.from(image.data));
      const other = PNG.sync.read(Buffer.from(bytes));
      expect(Array.from(other.data)).toEqual(Array.from(image.data));
      expect((await decodePng(bytes)).channels).toBe(alpha ? 4 : 3);
    }
  });

  it('round-trips a greyscale mask', async () => {
    const mask = Uint8Array.from({ length: 16 * 9 }, (_, i) => (i * 37) & 0xff);
    const png = await decodePng(await encodeGrayPng(16, 9, mask));
    expect(png.channels).toBe(1);
    expect(Array.from(png.data)).toEqual(Array.from(mask));
  });

  it('decodes every filter type pngjs writes', async () => {
    const image = noiseImage(19, 11);
    for (const filterType of [0, 1, 2, 3, 4]) {
      const png = new PNG({ width: 19, height: 11, filterType });
      png.data = Buffer.from(image.data);
      const back = await decodePngToRgba(new Uint8Array(PNG.sync.write(png, { filterType })));
      expect(Array.from(back.data)).toEqual(Array.from(image.data));
    }
  });

  it('writes tEXt chunks that parse back, with non-Latin-1 text escaped', async () => {
    const bytes = addPngText(await encodePng(noiseImage(8, 8)), { Software: 'Kontext Studio', Comment: 'make it 红' });
    const chunks = readPngChunks(bytes).map((c) => c.type);
    expect(chunks.slice(0, 3)).toEqual(['IHDR', 'tEXt', 'tEXt']);
    expect(readPngText(bytes)).toEqual({ Software: 'Kontext Studio', Comment: 'make it \\u7ea2' });
    expect(JSON.parse(`"${readPngText(bytes).Comment}"`)).toBe('make it 红');
    expect(PNG.sync.read(Buffer.from(bytes)).width).toBe(8); // still a valid PNG for others
  });

  it('refuses broken files', async () => {
    await expect(decodePng(new TextEncoder().encode('not a png'))).rejects.toThrow(PngError);
    const good = await encodePng(noiseImage(4, 4));
    const bad = good.slice();
    bad[20]! ^= 0xff; // inside IHDR: CRC no longer matches
    expect(() => readPngChunks(bad)).toThrow(/CRC/);
    // 16-bit images are outside this codec's scope and say so.
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, 1);
    new DataView(ihdr.buffer).setUint32(4, 1);
    ihdr.set([16, 0, 0, 0, 0], 8);
    const { writePngChunks } = await import('./png');
    const sixteen = writePngChunks([
      { type: 'IHDR', data: ihdr },
      { type: 'IDAT', data: deflateSync(Buffer.alloc(3)) },
      { type: 'IEND', data: new Uint8Array() },
    ]);
    await expect(decodePng(sixteen)).rejects.toThrow(/bit depth 16/);
  });
});
