import { describe, expect, it } from 'vitest';
import { checkImageHeader, downscaledSize, ImageFileError, ImageTooLargeError } from './image';

describe('checkImageHeader', () => {
  it('refuses what is not an image, naming the type when the browser knows it', () => {
    expect(() => checkImageHeader('notes.txt', 'text/plain', null)).toThrow(
      '"notes.txt" is not an image (it is text/plain)',
    );
    expect(() => checkImageHeader('photo.png', 'image/png', null)).toThrow('"photo.png" could not be decoded');
  });

  it('refuses SVG explicitly', () => {
    expect(() => checkImageHeader('logo.svg', 'image/svg+xml', { format: 'svg', width: null, height: null })).toThrow(
      /SVG drawing.*export it as PNG/,
    );
  });

  it('refuses tiny images and flags huge ones for a downscale, from the header alone', () => {
    expect(() => checkImageHeader('dot.png', 'image/png', { format: 'png', width: 1, height: 1 })).toThrow(
      'is 1×1; images must be at least 8×8',
    );
    const huge = () => checkImageHeader('big.png', 'image/png', { format: 'png', width: 16000, height: 12000 });
    expect(huge).toThrow(ImageTooLargeError);
    expect(huge).toThrow('largest side we accept is 8192');
    try {
      huge();
    } catch (e) {
      expect(e).toMatchObject({ width: 16000, height: 12000, target: { width: 8192, height: 6144 } });
    }
  });

  it('a strip that downscaling would squash below 8 px is refused outright', () => {
    const strip = () => checkImageHeader('strip.png', 'image/png', { format: 'png', width: 100_000, height: 60 });
    expect(strip).toThrow(ImageFileError);
    expect(strip).not.toThrow(ImageTooLargeError);
  });

  it('passes a normal image, and one whose size the header does not tell', () => {
    expect(checkImageHeader('a.png', 'image/png', { format: 'png', width: 640, height: 480 }).width).toBe(640);
    expect(checkImageHeader('a.jpg', '', { format: 'jpeg', width: null, height: null }).format).toBe('jpeg');
  });
});

describe('downscaledSize', () => {
  it('puts the longer side at the limit and keeps the aspect ratio', () => {
    expect(downscaledSize(16000, 16000)).toEqual({ width: 8192, height: 8192 });
    expect(downscaledSize(9000, 600)).toEqual({ width: 8192, height: 546 });
    expect(downscaledSize(3000, 12000, 4096)).toEqual({ width: 1024, height: 4096 });
  });
});
