import { describe, expect, it } from 'vitest';
import { checkImageHeader, ImageFileError } from './image';

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

  it('refuses tiny and huge images from the header alone', () => {
    expect(() => checkImageHeader('dot.png', 'image/png', { format: 'png', width: 1, height: 1 })).toThrow(
      'is 1×1; images must be at least 8×8',
    );
    expect(() => checkImageHeader('big.png', 'image/png', { format: 'png', width: 16000, height: 16000 })).toThrow(
      ImageFileError,
    );
    expect(() => checkImageHeader('big.png', 'image/png', { format: 'png', width: 16000, height: 16000 })).toThrow(
      'largest side we accept is 8192',
    );
  });

  it('passes a normal image, and one whose size the header does not tell', () => {
    expect(checkImageHeader('a.png', 'image/png', { format: 'png', width: 640, height: 480 }).width).toBe(640);
    expect(checkImageHeader('a.jpg', '', { format: 'jpeg', width: null, height: null }).format).toBe('jpeg');
  });
});
