/**
 * @file A photo-like test picture made in Node (nothing binary is committed): a landscape at dusk with sky
 * gradient, sun glow, two mountain ridges, a lake, a house, trees and sensor-like noise. Screenshots of the editor
 * need something with the texture and colour range of a real photo, which the flat samples do not have.
 */
import { rawPng } from './images';

type Rgb = [number, number, number];

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => a[i]! + (b[i]! - a[i]!) * t) as Rgb;
const clamp01 = (t: number) => Math.min(1, Math.max(0, t));

/** A deterministic pseudo-random stream (mulberry32), so every run draws the same picture. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The landscape as an RGB PNG of `width`×`height` (the shapes scale with it). */
export function photoLikePng(width = 1200, height = 800, seed = 7): Buffer {
  const rand = random(seed);
  const W = width,
    H = height;
  const horizon = 0.6 * H;
  const sun = { x: 0.7 * W, y: 0.4 * H, r: 0.045 * W };
  const far = (x: number) => 0.5 * H + 0.05 * H * Math.sin(x * 0.006 + 0.5) + 0.03 * H * Math.sin(x * 0.021 + 1.3);
  const near = (x: number) => 0.64 * H + 0.05 * H * Math.sin(x * 0.004 + 2) + 0.02 * H * Math.sin(x * 0.027);
  const lake = { left: 0.05 * W, right: 0.55 * W, top: 0.74 * H, bottom: 0.86 * H };
  const trees = Array.from({ length: 9 }, (_, i) => {
    const x = (0.58 + 0.045 * i + 0.02 * rand()) * W;
    return { x, base: near(x) + 0.02 * H, h: (0.1 + 0.06 * rand()) * H, w: (0.03 + 0.015 * rand()) * W };
  });
  const house = { x: 0.18 * W, w: 0.12 * W, base: 0.73 * H, h: 0.08 * H, roof: 0.06 * H };

  const pixel = (x: number, y: number): Rgb => {
    // Sky: deep blue at the top to a warm glow at the horizon, brighter around the sun.
    let c = mix([28, 46, 104], [252, 160, 92], clamp01(y / horizon) ** 1.6);
    const d = Math.hypot(x - sun.x, y - sun.y);
    c = mix(c, [255, 214, 150], clamp01(1 - d / (sun.r * 5)) ** 2 * 0.8);
    if (d < sun.r) c = mix([255, 244, 214], c, (d / sun.r) ** 6);
    // Far ridge in haze, near hills in grass that darkens towards the viewer.
    if (y > far(x)) c = mix([96, 92, 132], [70, 66, 104], clamp01((y - far(x)) / (0.15 * H)));
    if (y > near(x)) c = mix([92, 128, 58], [34, 62, 28], clamp01((y - near(x)) / (0.35 * H)));
    // The lake mirrors the sky, darker, with ripples.
    const inLake =
      y > lake.top &&
      y < lake.bottom &&
      ((x - (lake.left + lake.right) / 2) / ((lake.right - lake.left) / 2)) ** 2 +
        ((y - (lake.top + lake.bottom) / 2) / ((lake.bottom - lake.top) / 2)) ** 2 <
        1;
    if (inLake) {
      // The sky just above the horizon, reflected and darkened, with faint ripples.
      const mirrored = mix([90, 90, 140], [220, 150, 110], clamp01((y - lake.top) / (lake.bottom - lake.top)));
      c = mix(mirrored, [24, 36, 66], 0.5 + 0.06 * Math.sin(y * 0.7 + Math.sin(x * 0.03) * 3));
    }
    // A house: white walls, a red roof, a lit window.
    if (x > house.x && x < house.x + house.w && y > house.base - house.h && y < house.base) {
      c = [226, 220, 204];
      const wx = house.x + 0.35 * house.w,
        wy = house.base - 0.7 * house.h;
      if (x > wx && x < wx + 0.25 * house.w && y > wy && y < wy + 0.35 * house.h) c = [255, 210, 120];
    }
    const roofTop = house.base - house.h - house.roof;
    if (y > roofTop && y <= house.base - house.h) {
      const half = ((y - roofTop) / house.roof) * (house.w / 2 + 0.01 * W);
      if (Math.abs(x - (house.x + house.w / 2)) < half) c = [170, 48, 40];
    }
    // Trees: dark green cones on brown trunks.
    for (const t of trees) {
      if (Math.abs(x - t.x) < 0.004 * W && y > t.base - 0.02 * H && y < t.base + 0.01 * H) c = [74, 50, 30];
      const top = t.base - t.h - 0.02 * H;
      if (y > top && y < t.base - 0.02 * H && Math.abs(x - t.x) < ((y - top) / t.h) * (t.w / 2))
        c = mix([40, 84, 46], [18, 44, 24], (x - t.x) / t.w + 0.5);
    }
    return c;
  };

  return rawPng(W, H, 2, (y) => {
    const row = Buffer.alloc(W * 3);
    for (let x = 0; x < W; x++) {
      const c = pixel(x, y);
      const grain = (rand() - 0.5) * 14; // sensor noise: the same on all channels, like luminance grain
      row.set(
        c.map((v) => Math.round(Math.min(255, Math.max(0, v + grain + (rand() - 0.5) * 4)))),
        x * 3,
      );
    }
    return row;
  });
}
