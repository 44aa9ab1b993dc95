import { useEffect, useRef } from 'react';
import type { RgbaImage } from '../../workers/api';

/** Draws RGBA pixels at their own size (CSS may scale it). */
export function ImageCanvas({ image, label, testId }: { image: RgbaImage; label: string; testId?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    canvas.width = image.width;
    canvas.height = image.height;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
  }, [image]);
  return <canvas ref={ref} className="image-canvas" role="img" aria-label={label} data-testid={testId} />;
}
