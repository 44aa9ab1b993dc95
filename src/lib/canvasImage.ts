/**
 * @file Browser helpers that turn RGBA pixels into something a 2D canvas can draw, cached per image object
 * (images are immutable in the store, so identity is a safe key).
 */
import { isRepaint, MASK_THRESHOLD, type MaskImage, type RgbaImage } from '../../workers/api';

/** Full-size canvases for the last few images drawn on the main canvas (a turn's image is 4 bytes a pixel). */
const FULL_CACHE_SIZE = 8;
const full = new Map<RgbaImage, HTMLCanvasElement>();
const thumbs = new WeakMap<RgbaImage, HTMLCanvasElement>();
const THUMB_SIDE = 192;

function toCanvas(image: RgbaImage): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  canvas
    .getContext('2d')!
    .putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
  return canvas;
}

/** A canvas holding the image's pixels; the most recently used few are kept. */
export function getImageCanvas(image: RgbaImage): HTMLCanvasElement {
  let canvas = full.get(image);
  if (canvas) full.delete(image);
  else canvas = toCanvas(image);
  full.set(image, canvas); // most recent last
  if (full.size > FULL_CACHE_SIZE) full.delete(full.keys().next().value!);
  return canvas;
}

/** A small copy (≤ 192 px a side) for thumbnails, kept as long as the image lives. */
export function getThumbnailCanvas(image: RgbaImage): HTMLCanvasElement {
  let thumb = thumbs.get(image);
  if (!thumb) {
    const k = Math.min(1, THUMB_SIDE / Math.max(image.width, image.height));
    if (k === 1) thumb = full.get(image) ?? toCanvas(image);
    else {
      thumb = document.createElement('canvas');
      thumb.width = Math.max(1, Math.round(image.width * k));
      thumb.height = Math.max(1, Math.round(image.height * k));
      const ctx = thumb.getContext('2d')!;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(full.get(image) ?? toCanvas(image), 0, 0, thumb.width, thumb.height);
    }
    thumbs.set(image, thumb);
  }
  return thumb;
}

/**
 * Paints a mask into `target` as an overlay: a tint where it repaints (isRepaint, workers/api/mask.ts) with a
 * light outline at the edge of that region (readable on any colour), and a faint halo for the kept part of a
 * feathered rim.
 */
export function drawMaskOverlay(
  mask: MaskImage,
  target: HTMLCanvasElement,
  rgb: [number, number, number] = [255, 36, 110],
): void {
  const { width, height, data } = mask;
  if (target.width !== width || target.height !== height) {
    target.width = width;
    target.height = height;
  }
  const ctx = target.getContext('2d')!;
  const out = ctx.createImageData(width, height);
  const inside = (x: number, y: number) =>
    x >= 0 && y >= 0 && x < width && y < height && isRepaint(data[y * width + x]!);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = y * width + x,
        m = data[p]!;
      if (m === 0) continue;
      const o = p * 4;
      if (isRepaint(m) && !(inside(x - 1, y) && inside(x + 1, y) && inside(x, y - 1) && inside(x, y + 1))) {
        out.data.set([255, 255, 255, 230], o); // edge of the repainted region
      } else {
        out.data.set(
          [rgb[0], rgb[1], rgb[2], isRepaint(m) ? 120 + Math.round((m - MASK_THRESHOLD) * 0.25) : Math.round(m * 0.35)],
          o,
        );
      }
    }
  ctx.putImageData(out, 0, 0);
}

/** Starts a download of `data` as `fileName`. */
export function downloadBlob(data: Blob, fileName: string): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
