/**
 * @file The first-run gallery's chips (each sample's suggested instructions, src/lib/samples.ts) as bench
 * cases: the input as the gallery draws it, and the exact target and touched region where chipTargets can read
 * the instruction.
 *
 * It imports src/lib/samples.ts, the one UI module the Node tools may read (an explicit exception in
 * eslint.config.js): what the gallery offers is exactly what this measures, and a copy of its scenes would drift
 * from it. Only its data and its pure renderer are used.
 */
import type { RgbaImage } from '../../workers/api/types';
import * as samples from '../../src/lib/samples';
import { applyPixelEdit, changedMask, planChipEdit, withoutElement, type ChipScene } from './chipTargets';

/** The size the gallery renders its samples at (src/app/CanvasArea.tsx: renderScene(scene, 128)). */
const GALLERY_SIZE = 128;

/** What this file uses of src/lib/samples.ts. */
interface GalleryModule {
  SAMPLES: readonly { id: string; scene: ChipScene; suggestions: string[] }[];
  COLORS: Record<string, unknown>;
  renderScene(scene: ChipScene, size?: number): RgbaImage;
}

export interface GalleryChip {
  sampleId: string;
  instruction: string;
  input: RgbaImage;
  /** Null when the instruction is not an edit chipTargets can read, or it would change nothing. */
  expected: { target: RgbaImage; touched: Uint8Array } | null;
}

/** Union of two masks (255 where either is set). */
const union = (a: Uint8Array, b: Uint8Array) => a.map((v, p) => (v || b[p] ? 255 : 0));

/** The exact target and touched region of one chip, or null (see GalleryChip.expected). */
function expectChip(
  gallery: GalleryModule,
  scene: ChipScene,
  input: RgbaImage,
  instruction: string,
): GalleryChip['expected'] {
  const plan = planChipEdit(scene, instruction, Object.keys(gallery.COLORS));
  if (!plan) return null;
  const render = (s: ChipScene) => gallery.renderScene(s, GALLERY_SIZE);
  const target = 'scene' in plan ? render(plan.scene) : applyPixelEdit(input, plan.pixels);
  const changed = changedMask(input, target);
  if (!changed.some((v) => v > 0)) return null;
  if (!('scene' in plan)) return { target, touched: changed.map(() => 255) }; // whole-image operations touch all
  if (plan.touched === 'changed') return { target, touched: changed };
  // Footprint of an element: where the scene's render differs from the render without it (as the domain's masks).
  const touched = plan.touched
    .map(({ of, part }) => {
      const [from, image] = of === 'input' ? [scene, input] : [plan.scene, target];
      return changedMask(image, render(withoutElement(from, part)));
    })
    .reduce(union);
  if (changed.some((v, p) => v && !touched[p]))
    throw new Error(`chip "${instruction}": a changed pixel is not touched`);
  return { target, touched };
}

export async function loadGalleryChips(): Promise<GalleryChip[]> {
  const gallery: GalleryModule = samples;
  return gallery.SAMPLES.flatMap((sample) => {
    const input = gallery.renderScene(sample.scene, GALLERY_SIZE);
    return sample.suggestions.map((instruction) => ({
      sampleId: sample.id,
      instruction,
      input,
      expected: expectChip(gallery, sample.scene, input, instruction),
    }));
  });
}
