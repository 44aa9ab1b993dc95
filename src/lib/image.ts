import type { RgbaImage } from '../../workers/api';
import { readImageHeader, type ImageHeader } from './imageHeader';

/** Largest side we accept: bigger images exhaust memory long before the model could use them. */
export const MAX_IMAGE_SIDE = 8192;
/** Smallest side we accept: the model's latents are 1/8 of the image; below 8 px nothing is left. */
export const MIN_IMAGE_SIDE = 8;
/** How much of a file we read to find its size (JPEG frame headers can follow large EXIF blocks). */
const HEADER_BYTES = 256 * 1024;

/** A file the user gave us that is not a usable image; the message says why, in plain words. */
export class ImageFileError extends Error {}

/**
 * Decides from a file's header alone whether we will decode it.
 * SVG is refused rather than rasterised: it has no fixed pixel size, and the model edits pixels.
 * @throws ImageFileError with the reason.
 */
export function checkImageHeader(name: string, mimeType: string, header: ImageHeader | null): ImageHeader {
  if (!header) {
    if (mimeType && !mimeType.startsWith('image/')) {
      throw new ImageFileError(`"${name}" is not an image (it is ${mimeType}). Open a PNG, JPEG or WebP file.`);
    }
    throw new ImageFileError(
      `"${name}" could not be decoded as an image: its contents are not PNG, JPEG, WebP, GIF or BMP.`,
    );
  }
  if (header.format === 'svg') {
    throw new ImageFileError(`"${name}" is an SVG drawing. Kontext Studio edits pixel images: export it as PNG first.`);
  }
  const { width, height } = header;
  if (width !== null && height !== null) checkImageSize(name, width, height);
  return header;
}

/** @throws ImageFileError when a side is outside [MIN_IMAGE_SIDE, MAX_IMAGE_SIDE]. */
export function checkImageSize(name: string, width: number, height: number): void {
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw new ImageFileError(
      `"${name}" is ${width}×${height}; images must be at least ${MIN_IMAGE_SIDE}×${MIN_IMAGE_SIDE}.`,
    );
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new ImageFileError(`"${name}" is ${width}×${height}; the largest side we accept is ${MAX_IMAGE_SIDE} px.`);
  }
}

/**
 * Decodes an image file to RGBA pixels. The header is read first, so empty files, non-images, SVG and
 * oversized images are refused without decoding a single pixel.
 * @throws ImageFileError for empty files, non-images, SVG, undecodable data and out-of-range sizes.
 */
export async function decodeImageFile(file: File): Promise<RgbaImage> {
  if (file.size === 0) throw new ImageFileError(`"${file.name}" is empty (0 bytes).`);
  const head = new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer());
  checkImageHeader(file.name, file.type, readImageHeader(head));
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new ImageFileError(`"${file.name}" could not be decoded as an image: the file is damaged or truncated.`);
  }
  try {
    const { width, height } = bitmap;
    checkImageSize(file.name, width, height);
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
