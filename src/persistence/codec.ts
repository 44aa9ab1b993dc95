/**
 * @file Images and masks ↔ Blobs for storage: lossless PNG (our own codec, so pixels come back bit-exact).
 */
import type { MaskImage, RgbaImage } from '../../workers/api';
import { decodePng, decodePngToRgba, encodeGrayPng, encodePng } from '../lib/png';

const toBlob = (bytes: Uint8Array) => new Blob([bytes as BlobPart], { type: 'image/png' });
const bytesOf = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());

export const encodeImageBlob = async (image: RgbaImage): Promise<Blob> => toBlob(await encodePng(image));
export const decodeImageBlob = async (blob: Blob): Promise<RgbaImage> => decodePngToRgba(await bytesOf(blob));
export const encodeMaskBlob = async (mask: MaskImage): Promise<Blob> =>
  toBlob(await encodeGrayPng(mask.width, mask.height, mask.data));

/** @throws Error when the PNG is not a one-channel mask. */
export async function decodeMaskBlob(blob: Blob): Promise<MaskImage> {
  const png = await decodePng(await bytesOf(blob));
  if (png.channels !== 1) throw new Error('a stored mask is not greyscale');
  return { width: png.width, height: png.height, data: png.data };
}

/** A box-filtered copy no larger than `max` px on its longest side (for list thumbnails). */
export function downscale(image: RgbaImage, max: number): RgbaImage {
  const k = Math.max(1, Math.ceil(Math.max(image.width, image.height) / max));
  const width = Math.max(1, Math.floor(image.width / k)),
    height = Math.max(1, Math.floor(image.height / k));
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (let dy = 0; dy < k; dy++)
          for (let dx = 0; dx < k; dx++) sum += image.data[((y * k + dy) * image.width + x * k + dx) * 4 + c]!;
        data[(y * width + x) * 4 + c] = Math.round(sum / (k * k));
      }
  return { width, height, data };
}

/** FNV-1a over bytes, as a short hex id (names draft-mask blobs by content). */
export function hashBytes(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0') + bytes.length.toString(16);
}
