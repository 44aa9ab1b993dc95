import type { RgbaImage } from '../../workers/api';
import { readImageHeader, type ImageHeader } from './imageHeader';

/** Largest side we accept: bigger images exhaust memory long before the model could use them. */
export const MAX_IMAGE_SIDE = 8192;
/** Smallest side we accept: the model's latents are 1/8 of the image; below 8 px nothing is left. */
const MIN_IMAGE_SIDE = 8;
/** How much of a file we read to find its size (JPEG frame headers can follow large EXIF blocks). */
const HEADER_BYTES = 256 * 1024;

/** A file the user gave us that is not a usable image; the message says why, in plain words. */
export class ImageFileError extends Error {}

/**
 * An image larger than MAX_IMAGE_SIDE that is fine once downscaled: the app offers that instead of refusing it.
 * `target` is the size it would become.
 */
export class ImageTooLargeError extends ImageFileError {
  constructor(
    readonly fileName: string,
    readonly width: number,
    readonly height: number,
    readonly target: { width: number; height: number },
  ) {
    super(`"${fileName}" is ${width}×${height}; the largest side we accept is ${MAX_IMAGE_SIDE} px.`);
  }
}

/** The size with the longer side at `maxSide` and the aspect ratio kept (the shorter side rounded). */
export function downscaledSize(
  width: number,
  height: number,
  maxSide = MAX_IMAGE_SIDE,
): { width: number; height: number } {
  const k = maxSide / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

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

/**
 * @throws ImageTooLargeError when a side is above MAX_IMAGE_SIDE but the downscaled image would be usable;
 * ImageFileError when a side is below MIN_IMAGE_SIDE, or would be once downscaled (a 100000×20 strip).
 */
function checkImageSize(name: string, width: number, height: number): void {
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw new ImageFileError(
      `"${name}" is ${width}×${height}; images must be at least ${MIN_IMAGE_SIDE}×${MIN_IMAGE_SIDE}.`,
    );
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    const target = downscaledSize(width, height);
    if (Math.min(target.width, target.height) >= MIN_IMAGE_SIDE)
      throw new ImageTooLargeError(name, width, height, target);
    throw new ImageFileError(`"${name}" is ${width}×${height}; the largest side we accept is ${MAX_IMAGE_SIDE} px.`);
  }
}

/**
 * Decodes an image file to RGBA pixels. The header is read first, so empty files, non-images, SVG and
 * oversized images are refused without decoding a single pixel. With `resizeTo` (an ImageTooLargeError's target)
 * the browser decodes and scales in one step (createImageBitmap's resize options), so the full-size pixels never
 * reach JavaScript.
 * @throws ImageFileError for empty files, non-images, SVG, undecodable data and out-of-range sizes;
 * ImageTooLargeError for an image that could be downscaled.
 */
export async function decodeImageFile(file: File, resizeTo?: { width: number; height: number }): Promise<RgbaImage> {
  if (file.size === 0) throw new ImageFileError(`"${file.name}" is empty (0 bytes).`);
  const head = new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer());
  try {
    checkImageHeader(file.name, file.type, readImageHeader(head));
  } catch (e) {
    if (!(resizeTo && e instanceof ImageTooLargeError)) throw e;
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
      ...(resizeTo ? { resizeWidth: resizeTo.width, resizeHeight: resizeTo.height, resizeQuality: 'high' } : {}),
    });
  } catch {
    throw new ImageFileError(
      resizeTo
        ? `"${file.name}" could not be downscaled: this browser could not decode an image that large.`
        : `"${file.name}" could not be decoded as an image: the file is damaged or truncated.`,
    );
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
