import { describe, expect, it } from 'vitest';
import { getShortcutAction, getShortcutGroups, type KeyInput } from './shortcuts';

const k = (key: string, mods: Partial<KeyInput> = {}): KeyInput => ({
  key,
  code: '',
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe('shortcuts', () => {
  it('maps the documented keys', () => {
    expect(getShortcutAction(k('Enter', { ctrlKey: true }), false)).toBe('generate');
    expect(getShortcutAction(k('Enter', { metaKey: true }), true)).toBe('generate'); // works from the instruction field
    expect(getShortcutAction(k('z', { ctrlKey: true }), false)).toBe('undo');
    expect(getShortcutAction(k('Z', { ctrlKey: true, shiftKey: true }), false)).toBe('redo');
    expect(getShortcutAction(k('y', { ctrlKey: true }), false)).toBe('redo');
    expect(getShortcutAction(k('[', { code: 'BracketLeft' }), false)).toBe('brushSmaller');
    expect(getShortcutAction(k('}', { code: 'BracketRight', shiftKey: true }), false)).toBe('featherMore');
    expect(getShortcutAction(k('?', { shiftKey: true }), false)).toBe('help');
    expect(getShortcutAction(k('+', { shiftKey: true }), false)).toBe('zoomIn');
    expect(getShortcutAction(k('Escape'), true)).toBe('cancel');
    expect(getShortcutAction(k('I', { shiftKey: true }), false)).toBe('invertMask');
  });

  it('leaves typing alone: letters and text undo stay with the field', () => {
    expect(getShortcutAction(k('b'), true)).toBeNull();
    expect(getShortcutAction(k('z', { ctrlKey: true }), true)).toBeNull();
    expect(getShortcutAction(k('b', { altKey: true }), false)).toBeNull();
  });

  it('lists every group for the help overlay', () => {
    const groups = getShortcutGroups();
    expect(groups.map((g) => g.title)).toEqual(['Edit', 'Mask', 'View', 'General']);
    expect(groups.flatMap((g) => g.items).some((i) => i.keys === 'Space+drag')).toBe(true);
  });
});
