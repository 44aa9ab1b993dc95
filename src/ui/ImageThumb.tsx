import { useEffect, useRef } from 'react';
import type { RgbaImage } from '../../workers/api';
import { getThumbnailCanvas } from '../lib/canvasImage';

/** A small rendering of an image, box-filtered by the browser; `size` is the longest side in CSS px. */
export function ImageThumb({
  image,
  size = 56,
  label,
  testId,
}: {
  image: RgbaImage | null;
  size?: number;
  label: string;
  testId?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !image) return;
    const dpr = window.devicePixelRatio || 1;
    const k = size / Math.max(image.width, image.height);
    canvas.width = Math.max(1, Math.round(image.width * k * dpr));
    canvas.height = Math.max(1, Math.round(image.height * k * dpr));
    const ctx = canvas.getContext('2d')!;
    ctx.imageSmoothingEnabled = k < 1;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(getThumbnailCanvas(image), 0, 0, canvas.width, canvas.height);
  }, [image, size]);
  const k = image ? size / Math.max(image.width, image.height) : 1;
  return (
    <canvas
      ref={ref}
      className="thumb"
      role={label ? 'img' : undefined}
      aria-label={label || undefined}
      aria-hidden={label ? undefined : true}
      data-testid={testId}
      style={{ width: image ? Math.round(image.width * k) : size, height: image ? Math.round(image.height * k) : size }}
    />
  );
}
