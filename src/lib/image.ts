import type { RgbaImage } from '../../workers/api';

/** Largest side we accept: bigger images exhaust memory long before the model could use them. */
export const MAX_IMAGE_SIDE = 8192;

/** A file the user gave us that is not a usable image; the message says why, in plain words. */
export class ImageFileError extends Error {}

/**
 * Decodes an image file to RGBA pixels.
 * @throws ImageFileError for empty files, non-images, undecodable data and out-of-range sizes.
 */
export async function decodeImageFile(file: File): Promise<RgbaImage> {
  if (file.size === 0) throw new ImageFileError(`"${file.name}" is empty (0 bytes).`);
  if (file.type && !file.type.startsWith('image/')) {
    throw new ImageFileError(`"${file.name}" is not an image (it is ${file.type}). Open a PNG, JPEG or WebP file.`);
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new ImageFileError(`"${file.name}" could not be decoded as an image. Open a PNG, JPEG or WebP file.`);
  }
  try {
    const { width, height } = bitmap;
    if (width < 8 || height < 8) throw new ImageFileError(`"${file.name}" is ${width}×${height}; images must be at least 8×8.`);
    if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
      throw new ImageFileError(`"${file.name}" is ${width}×${height}; the largest side we accept is ${MAX_IMAGE_SIDE} px.`);
    }
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new ImageFileError('This browser cannot draw images off-screen.');
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, width, height);
    return { width, height, data };
  } finally {
    bitmap.close();
  }
}
