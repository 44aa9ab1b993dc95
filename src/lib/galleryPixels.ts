/**
 * @file The gallery's sample images, drawn once at build time (vite.config.ts puts them in `__GALLERY_PIXELS__`) and
 * unpacked in the page: drawing them at load took 230–390 ms of the page's thread (cold JavaScript), while the
 * engine's worker was starting beside it on the same cores. The pixels are renderScene's, byte for byte.
 */
import type { RgbaImage } from '../../workers/api';
import { renderScene, SAMPLES } from './samples.js'; // spelled out: vite.config.ts imports this file

/** The size the gallery draws its samples at (and opens them at). */
export const GALLERY_SIZE = 128;

/** Every sample's image at GALLERY_SIZE, as base64 of its RGB bytes (the alpha is always opaque), by sample id. */
export function packGalleryPixels(): Record<string, string> {
  return Object.fromEntries(
    SAMPLES.map((sample) => {
      const { data } = renderScene(sample.scene, GALLERY_SIZE);
      let binary = '';
      for (let i = 0; i < data.length; i += 4) binary += String.fromCharCode(data[i]!, data[i + 1]!, data[i + 2]!);
      return [sample.id, btoa(binary)];
    }),
  );
}

/** A sample's image from packGalleryPixels' string. */
export function unpackGalleryImage(packed: string): RgbaImage {
  const binary = atob(packed);
  const data = new Uint8ClampedArray((binary.length / 3) * 4);
  for (let i = 0, o = 0; i < binary.length; i += 3, o += 4) {
    data[o] = binary.charCodeAt(i);
    data[o + 1] = binary.charCodeAt(i + 1);
    data[o + 2] = binary.charCodeAt(i + 2);
    data[o + 3] = 255;
  }
  return { width: GALLERY_SIZE, height: GALLERY_SIZE, data };
}
