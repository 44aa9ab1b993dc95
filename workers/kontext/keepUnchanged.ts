/**
 * @file Keep unchanged pixels: after an edit, every pixel the model left (nearly) as it was is copied back from
 * the input byte for byte, and only the changed regions keep the model's output, blended in with a soft rim.
 * Without it each turn passes the whole picture through the autoencoder and the DiT again, so untouched areas
 * soften turn after turn (peers.md §2 item 1, §5 item 2; EraseDraw's thresholded copy-back).
 *
 * Constants were chosen on 1,500 edits of unseen training-range samples by kontext-micro
 * (training/micro/keep_unchanged.py), never on the bench: the changed region is where the smoothed per-pixel
 * change exceeds 48/255, specks one unit wide are opened away (they are autoencoder noise, not edits), holes are
 * filled (a faded object whose rim changed more than its inside must not come back as an outline), the rim is
 * feathered over three units, and an edit that changed over a quarter of the picture is a global one and is
 * returned untouched (a partial copy-back would leave patches of the old picture).
 */
import { EngineError } from '../api/errors';
import type { RgbaImage } from '../api/types';

/** Largest per-channel change (0–255), after smoothing, that still counts as "unchanged". */
export const CHANGE_THRESHOLD = 48;
/** Above this share of changed pixels the edit is global and nothing is copied back. */
const GLOBAL_EDIT_SHARE = 0.25;
/** Radii in units of `getUnit`: smoothing of the change, opening of the changed region, feather of its rim. */
const SMOOTH = 1;
const OPEN = 1;
const FEATHER = 3;

export interface KeepResult {
  image: RgbaImage;
  /** Share of pixels that kept the model's output (fully or partly); 1 when the edit was global. */
  changedShare: number;
  /** False when the edit changed too much of the picture to copy anything back. */
  applied: boolean;
}

/** One unit of the radii: a pixel at 64×64, scaled with the shorter side so larger pictures get the same shapes. */
export function getUnit(width: number, height: number): number {
  return Math.max(1, Math.round(Math.min(width, height) / 64));
}

/**
 * Mean over a (2r+1)² window with edges clamped, by running sums along rows, then columns, divided once at the
 * end: for integer planes (changes, 0/1 masks) every sum is exact, so a window of zeros gives exactly 0.
 */
export function boxMean(plane: Float32Array, width: number, height: number, r: number): Float32Array {
  if (r <= 0) return plane.slice();
  const rows = new Float32Array(plane.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += plane[row + Math.min(width - 1, Math.max(0, k))]!;
    for (let x = 0; x < width; x++) {
      rows[row + x] = sum;
      sum += plane[row + Math.min(width - 1, x + r + 1)]! - plane[row + Math.max(0, x - r)]!;
    }
  }
  const out = new Float32Array(plane.length);
  const area = (2 * r + 1) ** 2;
  const sums = new Float64Array(width); // one running sum per column, walking down the rows
  for (let k = -r; k <= r; k++) {
    const row = Math.min(height - 1, Math.max(0, k)) * width;
    for (let x = 0; x < width; x++) sums[x]! += rows[row + x]!;
  }
  for (let y = 0; y < height; y++) {
    const add = Math.min(height - 1, y + r + 1) * width;
    const drop = Math.max(0, y - r) * width;
    for (let x = 0; x < width; x++) {
      out[y * width + x] = sums[x]! / area;
      sums[x]! += rows[add + x]! - rows[drop + x]!;
    }
  }
  return out;
}

/** Marks as changed every unchanged pixel that cannot reach the border through unchanged pixels (4-connected). */
export function fillHoles(changed: Float32Array, width: number, height: number): Float32Array {
  const reached = new Uint8Array(changed.length);
  const stack: number[] = [];
  const visit = (p: number) => {
    if (changed[p] === 0 && !reached[p]) {
      reached[p] = 1;
      stack.push(p);
    }
  };
  for (let x = 0; x < width; x++) {
    visit(x);
    visit((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    visit(y * width);
    visit(y * width + width - 1);
  }
  while (stack.length > 0) {
    const p = stack.pop()!;
    const x = p % width;
    if (x > 0) visit(p - 1);
    if (x < width - 1) visit(p + 1);
    if (p >= width) visit(p - width);
    if (p < (height - 1) * width) visit(p + width);
  }
  return changed.map((_, p) => (reached[p] ? 0 : 1));
}

/** 1 where the smoothed change exceeds the threshold, after an opening that removes specks, holes filled. */
function findChanged(input: RgbaImage, output: RgbaImage, unit: number): Float32Array {
  const { width, height } = input;
  const change = new Float32Array(width * height);
  for (let p = 0; p < change.length; p++) {
    const o = 4 * p;
    change[p] = Math.max(
      Math.abs(output.data[o]! - input.data[o]!),
      Math.abs(output.data[o + 1]! - input.data[o + 1]!),
      Math.abs(output.data[o + 2]! - input.data[o + 2]!),
    );
  }
  const smooth = boxMean(change, width, height, SMOOTH * unit);
  const changed = smooth.map((v) => (v > CHANGE_THRESHOLD ? 1 : 0));
  const eroded = boxMean(changed, width, height, OPEN * unit).map((v) => (v === 1 ? 1 : 0));
  return fillHoles(
    boxMean(eroded, width, height, OPEN * unit).map((v) => (v > 0 ? 1 : 0)),
    width,
    height,
  );
}

/**
 * The output with every unchanged pixel taken from the input. Both images must have the same size.
 * @throws EngineError `bad-input` when the sizes differ.
 */
export function keepUnchanged(input: RgbaImage, output: RgbaImage): KeepResult {
  if (input.width !== output.width || input.height !== output.height) {
    throw new EngineError(
      'bad-input',
      `keepUnchanged: the output is ${output.width}×${output.height} but the input is ${input.width}×${input.height}`,
    );
  }
  const { width, height } = input;
  const unit = getUnit(width, height);
  const changed = findChanged(input, output, unit);
  const share = changed.reduce((n, v) => n + v, 0) / changed.length;
  if (share > GLOBAL_EDIT_SHARE) return { image: output, changedShare: 1, applied: false };
  const weight = boxMean(changed, width, height, FEATHER * unit);
  const data = new Uint8ClampedArray(output.data.length);
  let fromModel = 0;
  for (let p = 0; p < weight.length; p++) {
    const w = weight[p]!;
    const o = 4 * p;
    if (w > 0) fromModel++;
    for (let c = 0; c < 3; c++)
      data[o + c] = Math.round(input.data[o + c]! + w * (output.data[o + c]! - input.data[o + c]!));
    data[o + 3] = output.data[o + 3]!;
  }
  return { image: { width, height, data }, changedShare: fromModel / weight.length, applied: true };
}
