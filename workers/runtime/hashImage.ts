import type { RgbaImage } from '../api/types';

/** SHA-256 (hex) of an image's size and pixels: the key of the encoder cache. */
export async function hashImage(image: RgbaImage): Promise<string> {
  const header = new Uint32Array([image.width, image.height]);
  const bytes = new Uint8Array(8 + image.data.length);
  bytes.set(new Uint8Array(header.buffer), 0);
  bytes.set(image.data, 8);
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
