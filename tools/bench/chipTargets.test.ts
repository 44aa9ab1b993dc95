import { describe, expect, it } from 'vitest';
import { applyPixelEdit, changedMask, planChipEdit, withoutElement, type ChipScene } from './chipTargets';

const COLORS = ['red', 'blue', 'green', 'yellow', 'white', 'pink'];
const scene: ChipScene = {
  background: { kind: 'flat', color: 'pink' },
  shapes: [
    { kind: 'circle', color: 'red', cell: [0, 1], size: 'large' },
    { kind: 'star', color: 'yellow', cell: [2, 0], size: 'medium' },
    { kind: 'circle', color: 'green', cell: [1, 1], size: 'small' },
  ],
  text: { glyphs: 'A7', color: 'white', row: 2 },
};
const plan = (instruction: string) => planChipEdit(scene, instruction, COLORS);

describe('exact targets of gallery chips', () => {
  it('reads shape edits and names what they touch', () => {
    expect(plan('make the red circle blue')).toEqual({
      scene: { ...scene, shapes: [{ ...scene.shapes[0]!, color: 'blue' }, scene.shapes[1], scene.shapes[2]] },
      touched: [{ of: 'input', part: 0 }],
    });
    expect(plan('remove the star')).toMatchObject({ touched: [{ of: 'input', part: 1 }] });
    expect(plan('move the star to the top left')).toMatchObject({
      touched: [
        { of: 'input', part: 1 },
        { of: 'target', part: 1 },
      ],
    });
    expect(plan('make the green circle bigger')).toMatchObject({ scene: { shapes: [{}, {}, { size: 'medium' }] } });
    expect(plan('add a big blue square in the top left corner')).toMatchObject({
      scene: { shapes: [{}, {}, {}, { kind: 'square', color: 'blue', cell: [0, 0], size: 'large' }] },
      touched: [{ of: 'target', part: 3 }],
    });
  });

  it('gives no target when the instruction is ambiguous, impossible or unknown', () => {
    expect(plan('make the circle blue')).toBeNull(); // two circles
    expect(plan('make the star bigger')).not.toBeNull();
    expect(plan('make the red circle bigger')).toBeNull(); // already large
    expect(plan('move the star to the center')).toBeNull(); // the center is taken
    expect(plan('add a blue square at the bottom left')).toBeNull(); // the text row
    expect(plan('make it look nicer')).toBeNull();
  });

  it('reads background, text and whole-image edits', () => {
    expect(plan('make the background yellow')).toMatchObject({
      scene: { background: { kind: 'flat', color: 'yellow' } },
      touched: 'changed',
    });
    expect(plan('change the "A" to "B"')).toMatchObject({ scene: { text: { glyphs: 'B7' } } });
    expect(plan('change the "Q" to "B"')).toBeNull();
    expect(plan('make the text yellow')).toMatchObject({ scene: { text: { color: 'yellow' } } });
    expect(plan('remove the text')).toMatchObject({ scene: { text: undefined } });
    expect(plan('invert the colours')).toEqual({ pixels: 'invert' });
    expect(plan('mirror the image')).toEqual({ pixels: 'mirror' });
    expect(withoutElement(scene, 'text').text).toBeUndefined();
    expect(withoutElement(scene, 1).shapes.map((s) => s.kind)).toEqual(['circle', 'circle']);
  });

  it('inverts and mirrors pixels as the domain does, and marks changed pixels', () => {
    const image = { width: 2, height: 1, data: new Uint8ClampedArray([0, 10, 20, 255, 200, 210, 220, 255]) };
    expect(Array.from(applyPixelEdit(image, 'invert').data)).toEqual([255, 245, 235, 255, 55, 45, 35, 255]);
    expect(Array.from(applyPixelEdit(image, 'mirror').data)).toEqual([200, 210, 220, 255, 0, 10, 20, 255]);
    const other = { ...image, data: new Uint8ClampedArray([0, 10, 20, 0, 200, 211, 220, 255]) };
    expect(Array.from(changedMask(image, other))).toEqual([0, 255]); // alpha does not count
  });
});
