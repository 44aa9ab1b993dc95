/**
 * @file The exact result of a first-run sample chip: the gallery's scenes are procedural, so a chip's
 * instruction (a training-template sentence) names an edit of the scene, and the target is the re-render of the
 * edited scene (or, for whole-image operations, a pixel operation on the input, as the domain defines them:
 * training/domain/render.py apply_filter). Pure; an instruction it cannot read gets no target (null), never a guess.
 */
import type { RgbaImage } from '../../workers/api/types';

/**
 * The fields of the gallery's scene (src/lib/samples.ts `SampleScene`) that chip edits change, declared
 * structurally here because the Node tools do not import the UI's modules.
 */
interface ChipShape {
  kind: string;
  color: string;
  cell: [number, number];
  size: 'small' | 'medium' | 'large';
}
export interface ChipScene {
  background: { kind: 'flat'; color: string } | { kind: string; colors: [string, string] };
  shapes: ChipShape[];
  text?: { glyphs: string; color: string; row: 0 | 2 };
}

/** A drawn element of the input or the target scene: its text, or the shape at an index of its shape list. */
export interface ChipElement {
  of: 'input' | 'target';
  part: 'text' | number;
}

/**
 * A new scene to render with the elements the instruction may change (their footprints in the input and the
 * target make the touched region, as the domain's masks do; 'changed' for a new background: every pixel where it
 * shows changes), or a whole-image pixel operation on the input (touches every pixel).
 */
export type ChipPlan = { scene: ChipScene; touched: ChipElement[] | 'changed' } | { pixels: 'invert' | 'mirror' };

/** The cells absolute positions name (training/domain/scene.py NAMED_TARGET_CELLS). */
const POSITIONS: Record<string, [number, number]> = {
  'top left': [0, 0],
  'top right': [2, 0],
  center: [1, 1],
  middle: [1, 1],
  'bottom left': [0, 2],
  'bottom right': [2, 2],
};
const SIZES = ['small', 'medium', 'large'] as const;
const SIZE_WORDS: Record<string, ChipShape['size']> = { small: 'small', little: 'small', large: 'large', big: 'large' };

/** Index of the one shape `ref` names ("circle" when its kind is unique, else "red circle"), or -1. */
function findShape(scene: ChipScene, ref: string): number {
  const words = ref.split(' ');
  const matches = scene.shapes
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => (words.length === 1 ? s.kind === words[0] : s.color === words[0] && s.kind === words[1]));
  return words.length <= 2 && matches.length === 1 ? matches[0]!.i : -1;
}

const isFree = (scene: ChipScene, cell: [number, number]) =>
  !scene.shapes.some((s) => s.cell[0] === cell[0] && s.cell[1] === cell[1]) &&
  !(scene.text && scene.text.row === cell[1]);

function withShape(scene: ChipScene, index: number, change: Partial<ChipShape>): ChipScene {
  return { ...scene, shapes: scene.shapes.map((s, i) => (i === index ? { ...s, ...change } : s)) };
}

/** The scene without one element: rendering both gives that element's footprint. */
export function withoutElement(scene: ChipScene, part: ChipElement['part']): ChipScene {
  return part === 'text'
    ? { ...scene, text: undefined }
    : { ...scene, shapes: scene.shapes.filter((_, i) => i !== part) };
}

const shapeIn = (of: ChipElement['of'], part: number): ChipElement => ({ of, part });
const TEXT_BOTH: ChipElement[] = [
  { of: 'input', part: 'text' },
  { of: 'target', part: 'text' },
];

type Rule = [RegExp, (m: string[], scene: ChipScene) => ChipPlan | null];

function makeRules(colorNames: readonly string[]): Rule[] {
  const color = `(${colorNames.join('|')})`;
  const pos = `(?:in|at|to) the (${Object.keys(POSITIONS).join('|')})(?: corner)?`;
  const re = (source: string) => new RegExp(`^${source.replace('COLOR', color).replace('POS', pos)}$`);
  const shape = (scene: ChipScene, ref: string, plan: (i: number) => ChipPlan | null) => {
    const i = findShape(scene, ref);
    return i < 0 ? null : plan(i);
  };
  return [
    [
      re('(?:make|turn|paint) the background COLOR'),
      (m, s) => ({ scene: { ...s, background: { kind: 'flat', color: m[1]! } }, touched: 'changed' }),
    ],
    [
      re('(?:make|turn|paint) (?:all the shapes|every shape) COLOR'),
      (m, s) => ({
        scene: { ...s, shapes: s.shapes.map((x) => ({ ...x, color: m[1]! })) },
        touched: s.shapes.map((_, i) => shapeIn('input', i)),
      }),
    ],
    [re('invert the (?:colours|colors|image)'), () => ({ pixels: 'invert' })],
    [re('(?:mirror the image|flip the image horizontally|flip it left to right)'), () => ({ pixels: 'mirror' })],
    [
      re('(?:remove|delete|erase|get rid of) the text'),
      (_, s) => (s.text ? { scene: withoutElement(s, 'text'), touched: [{ of: 'input', part: 'text' }] } : null),
    ],
    [
      re('(?:make|turn|colour) the text COLOR'),
      (m, s) => (s.text ? { scene: { ...s, text: { ...s.text, color: m[1]! } }, touched: TEXT_BOTH } : null),
    ],
    [
      re('(?:change|replace|turn|swap) the "(.)" (?:to|with|into|for) "(.)"'),
      (m, s) => {
        const t = s.text;
        if (!t || t.glyphs.split(m[1]!).length !== 2) return null; // the glyph must occur exactly once
        return { scene: { ...s, text: { ...t, glyphs: t.glyphs.replace(m[1]!, m[2]!) } }, touched: TEXT_BOTH };
      },
    ],
    [
      re('(?:make|turn|paint|recolour) the ([a-z ]+) COLOR'),
      (m, s) => shape(s, m[1]!, (i) => ({ scene: withShape(s, i, { color: m[2]! }), touched: [shapeIn('input', i)] })),
    ],
    [
      re('(?:remove|delete|erase|get rid of|take away) the ([a-z ]+)'),
      (m, s) => shape(s, m[1]!, (i) => ({ scene: withoutElement(s, i), touched: [shapeIn('input', i)] })),
    ],
    [
      re('(?:move|shift|put|place) the ([a-z ]+) POS'),
      (m, s) => {
        const cell = POSITIONS[m[2]!]!;
        if (!isFree(s, cell)) return null;
        return shape(s, m[1]!, (i) => ({
          scene: withShape(s, i, { cell }),
          touched: [shapeIn('input', i), shapeIn('target', i)],
        }));
      },
    ],
    [
      re('make the ([a-z ]+) (bigger|larger|smaller)'),
      (m, s) =>
        shape(s, m[1]!, (i) => {
          const size = SIZES[SIZES.indexOf(s.shapes[i]!.size) + (m[2] === 'smaller' ? -1 : 1)];
          return size
            ? { scene: withShape(s, i, { size }), touched: [shapeIn('input', i), shapeIn('target', i)] }
            : null;
        }),
    ],
    [
      re('(?:add|put|draw|insert|place) an? (?:(small|little|large|big) )?COLOR ([a-z]+) POS'),
      (m, s) => {
        const cell = POSITIONS[m[4]!]!;
        const size = m[1] ? SIZE_WORDS[m[1]]! : 'medium';
        if (!isFree(s, cell)) return null;
        const shapes = [...s.shapes, { kind: m[3]!, color: m[2]!, cell, size }];
        return { scene: { ...s, shapes }, touched: [shapeIn('target', s.shapes.length)] };
      },
    ],
  ];
}

/** What `instruction` does to `scene`, or null when it reads as none of the edits above or does not apply. */
export function planChipEdit(scene: ChipScene, instruction: string, colorNames: readonly string[]): ChipPlan | null {
  for (const [pattern, plan] of makeRules(colorNames)) {
    const m = pattern.exec(instruction);
    if (m) return plan([...m], scene);
  }
  return null;
}

/** The domain's whole-image operations: invert = 255 − value, mirror = left↔right. */
export function applyPixelEdit(image: RgbaImage, op: 'invert' | 'mirror'): RgbaImage {
  const { width, height } = image;
  const data = new Uint8ClampedArray(image.data.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = 4 * (y * width + x);
      const from = op === 'mirror' ? 4 * (y * width + (width - 1 - x)) : o;
      for (let c = 0; c < 3; c++) data[o + c] = op === 'invert' ? 255 - image.data[from + c]! : image.data[from + c]!;
      data[o + 3] = image.data[from + 3]!;
    }
  return { width, height, data };
}

/** 255 where the RGB of `a` and `b` differ, else 0: a chip's touched region is exactly what its target changes. */
export function changedMask(a: RgbaImage, b: RgbaImage): Uint8Array {
  return Uint8Array.from({ length: a.width * a.height }, (_, p) =>
    [0, 1, 2].some((c) => a.data[4 * p + c] !== b.data[4 * p + c]) ? 255 : 0,
  );
}
