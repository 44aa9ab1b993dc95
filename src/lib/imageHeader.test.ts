import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { readImageHeader } from './imageHeader';

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? Array.from(p, (c) => c.charCodeAt(0)) : p)));

describe('readImageHeader', () => {
  it('reads a PNG IHDR', () => {
    const png = new PNG({ width: 300, height: 17 });
    expect(readImageHeader(new Uint8Array(PNG.sync.write(png)))).toEqual({ format: 'png', width: 300, height: 17 });
  });

  it('reads a JPEG frame size after an APP segment', () => {
    const jpeg = bytes([0xff, 0xd8, 0xff, 0xe0, 0, 6], 'JFIF', [0xff, 0xc0, 0, 11, 8, 0x3e, 0x80, 0x3e, 0x80, 3]);
    expect(readImageHeader(jpeg)).toEqual({ format: 'jpeg', width: 16000, height: 16000 });
  });

  it('reads WebP VP8X, GIF and BMP sizes', () => {
    const vp8x = bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8X', [10, 0, 0, 0, 0, 0, 0, 0], [0x7f, 0x3e, 0, 0x0f, 0, 0]);
    expect(readImageHeader(vp8x)).toEqual({ format: 'webp', width: 16000, height: 16 });
    expect(readImageHeader(bytes('GIF89a', [10, 0, 20, 0]))).toEqual({ format: 'gif', width: 10, height: 20 });
    const bmp = new Uint8Array(30);
    bmp.set([0x42, 0x4d]);
    new DataView(bmp.buffer).setInt32(18, 64, true);
    new DataView(bmp.buffer).setInt32(22, -32, true); // top-down BMPs have a negative height
    expect(readImageHeader(bmp)).toEqual({ format: 'bmp', width: 64, height: 32 });
  });

  it('recognises SVG, with or without an XML prolog', () => {
    expect(readImageHeader(bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'))?.format).toBe('svg');
    expect(readImageHeader(bytes('\n<?xml version="1.0"?>\n<svg></svg>'))?.format).toBe('svg');
  });

  it('returns null for text and empty input', () => {
    expect(readImageHeader(bytes('PNG? no, just text'))).toBeNull();
    expect(readImageHeader(new Uint8Array())).toBeNull();
  });
});
