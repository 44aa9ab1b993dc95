/**
 * @file The edit mask: one byte per image pixel, read by workers/api/mask.ts (isRepaint, and compositeMasked,
 * which the engine applies to the result). Brush dabs are round; `feather` (0…1) is the outer fraction of the
 * radius over which a dab fades from full to nothing, so a feathered brush repaints a slightly smaller disc and
 * blends its rim.
 */
import { isRepaint, type MaskImage } from '../../workers/api';

export type BrushMode = 'paint' | 'erase';

export function createMask(width: number, height: number): MaskImage {
  return { width, height, data: new Uint8Array(width * height) };
}

export function cloneMask(mask: MaskImage): MaskImage {
  return { width: mask.width, height: mask.height, data: mask.data.slice() };
}

/** Dab strength at distance `d` from the centre: 1 inside the hard core, fading linearly to 0 at the radius. */
function dabStrength(d: number, radius: number, feather: number): number {
  if (d >= radius) return 0;
  const core = radius * (1 - feather);
  return d <= core ? 1 : (radius - d) / (radius - core);
}

/**
 * Stamps one round dab in place. Paint raises pixels to the dab's value, erase lowers them, so going over
 * the same spot never overshoots.
 * @param diameter - brush size in image pixels
 */
export function stampDab(
  mask: MaskImage,
  cx: number,
  cy: number,
  diameter: number,
  feather: number,
  mode: BrushMode,
): void {
  const r = Math.max(0.5, diameter / 2);
  const x0 = Math.max(0, Math.floor(cx - r)),
    x1 = Math.min(mask.width - 1, Math.ceil(cx + r));
  const y0 = Math.max(0, Math.floor(cy - r)),
    y1 = Math.min(mask.height - 1, Math.ceil(cy + r));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const v = Math.round(255 * dabStrength(Math.hypot(x + 0.5 - cx, y + 0.5 - cy), r, feather));
      if (v === 0) continue;
      const i = y * mask.width + x;
      mask.data[i] = mode === 'paint' ? Math.max(mask.data[i]!, v) : Math.min(mask.data[i]!, 255 - v);
    }
  }
}

/** Stamps dabs along a segment, a quarter of the radius apart, so fast strokes leave no gaps. */
export function strokeSegment(
  mask: MaskImage,
  from: { x: number; y: number },
  to: { x: number; y: number },
  diameter: number,
  feather: number,
  mode: BrushMode,
): void {
  const spacing = Math.max(0.5, diameter / 8);
  const steps = Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) / spacing));
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    stampDab(mask, from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t, diameter, feather, mode);
  }
}

/** A new mask with every pixel inverted (repaint ↔ keep). */
export function invertMask(mask: MaskImage): MaskImage {
  const out = cloneMask(mask);
  for (let i = 0; i < out.data.length; i++) out.data[i] = 255 - out.data[i]!;
  return out;
}

/** How many pixels will be repainted (isRepaint). */
export function countRepaint(mask: MaskImage): number {
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) if (isRepaint(mask.data[i]!)) n++;
  return n;
}

/** True when the mask would repaint nothing (the edit then runs unmasked). */
export const isMaskEmpty = (mask: MaskImage | null): boolean => !mask || countRepaint(mask) === 0;
