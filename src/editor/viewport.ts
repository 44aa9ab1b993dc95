/**
 * @file Canvas view math. A viewport maps image pixels to screen (CSS) pixels inside the canvas element:
 * screen = image × zoom + pan.
 */

export interface Viewport {
  zoom: number;
  panX: number;
  panY: number;
}

export interface Size {
  width: number;
  height: number;
}

const MIN_ZOOM = 1 / 32;
const MAX_ZOOM = 64;
/** The stops that +/− step through. */
export const ZOOM_STEPS = [
  1 / 32,
  1 / 16,
  1 / 8,
  1 / 4,
  1 / 3,
  1 / 2,
  2 / 3,
  1,
  1.5,
  2,
  3,
  4,
  6,
  8,
  12,
  16,
  24,
  32,
  48,
  64,
];

const clampZoom = (z: number) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));

/** Zooms by `factor` keeping the image point under (sx, sy) where it is. */
export function zoomAt(vp: Viewport, factor: number, sx: number, sy: number): Viewport {
  const zoom = clampZoom(vp.zoom * factor);
  const k = zoom / vp.zoom;
  return { zoom, panX: sx - (sx - vp.panX) * k, panY: sy - (sy - vp.panY) * k };
}

/** Zooms to exactly `zoom`, keeping the view's centre fixed. */
function zoomTo(vp: Viewport, zoom: number, view: Size): Viewport {
  return zoomAt(vp, clampZoom(zoom) / vp.zoom, view.width / 2, view.height / 2);
}

/** The next zoom stop above (direction 1) or below (-1) the current zoom. */
export function stepZoom(vp: Viewport, direction: 1 | -1, view: Size): Viewport {
  const eps = 1e-6;
  const next =
    direction > 0
      ? (ZOOM_STEPS.find((z) => z > vp.zoom + eps) ?? MAX_ZOOM)
      : ([...ZOOM_STEPS].reverse().find((z) => z < vp.zoom - eps) ?? MIN_ZOOM);
  return zoomTo(vp, next, view);
}

/** The whole image centred in the view with `padding` px around it (never above 16×). */
export function fitViewport(image: Size, view: Size, padding = 44): Viewport {
  const zoom = clampZoom(
    Math.min((view.width - 2 * padding) / image.width, (view.height - 2 * padding) / image.height, 16),
  );
  return centered(image, view, zoom > 0 ? zoom : MIN_ZOOM);
}

/** 1 image pixel = 1 screen pixel, centred. */
export function actualSize(image: Size, view: Size): Viewport {
  return centered(image, view, 1);
}

function centered(image: Size, view: Size, zoom: number): Viewport {
  return {
    zoom,
    panX: Math.round((view.width - image.width * zoom) / 2),
    panY: Math.round((view.height - image.height * zoom) / 2),
  };
}

/** The image pixel coordinates (fractional) under a screen point. */
export function screenToImage(vp: Viewport, sx: number, sy: number): { x: number; y: number } {
  return { x: (sx - vp.panX) / vp.zoom, y: (sy - vp.panY) / vp.zoom };
}
