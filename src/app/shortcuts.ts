/**
 * @file The keyboard map: one table drives both the key handling and the help overlay (?).
 * Single-letter keys are ignored while typing in a field; Ctrl/⌘ combos and Escape are not.
 */

export type ShortcutAction =
  | 'generate'
  | 'cancel'
  | 'undo'
  | 'redo'
  | 'brushSmaller'
  | 'brushBigger'
  | 'featherLess'
  | 'featherMore'
  | 'brush'
  | 'eraser'
  | 'hand'
  | 'invertMask'
  | 'clearMask'
  | 'toggleOverlay'
  | 'zoomIn'
  | 'zoomOut'
  | 'zoomFit'
  | 'zoomActual'
  | 'compare'
  | 'help'
  | 'exportPng'
  | 'open';

export interface KeyInput {
  key: string;
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

interface Shortcut {
  action: ShortcutAction;
  keys: string;
  label: string;
  group: 'Edit' | 'Mask' | 'View' | 'General';
  mod?: boolean;
  shift?: boolean;
  /** Matches e.key (case-insensitive) or e.code. */
  match: (e: KeyInput) => boolean;
}

const key =
  (...keys: string[]) =>
  (e: KeyInput) =>
    keys.includes(e.key.toLowerCase()) || keys.includes(e.code);

const SHORTCUTS: Shortcut[] = [
  { action: 'generate', keys: 'Ctrl+Enter', label: 'Generate', group: 'Edit', mod: true, match: key('enter') },
  {
    action: 'cancel',
    keys: 'Esc',
    label: 'Cancel the running edit (or a stroke; close a dialog or a side-panel drawer)',
    group: 'Edit',
    match: key('escape'),
  },
  {
    action: 'undo',
    keys: 'Ctrl+Z',
    label: 'Undo: the last mask stroke, else back to the previous turn',
    group: 'Edit',
    mod: true,
    match: key('z'),
  },
  {
    action: 'redo',
    keys: 'Ctrl+Shift+Z',
    label: 'Redo: the mask stroke taken back, else forward along the branch you came from (also Ctrl+Y)',
    group: 'Edit',
    mod: true,
    shift: true,
    match: key('z'),
  },
  { action: 'redo', keys: '', label: '', group: 'Edit', mod: true, match: key('y') },
  {
    action: 'exportPng',
    keys: 'Ctrl+Shift+E',
    label: 'Export the shown image as PNG (with its edit chain)',
    group: 'Edit',
    mod: true,
    shift: true,
    match: key('e'),
  },
  { action: 'open', keys: 'Ctrl+O', label: 'Open an image', group: 'Edit', mod: true, match: key('o') },
  { action: 'brush', keys: 'B', label: 'Mask brush', group: 'Mask', match: key('b') },
  { action: 'eraser', keys: 'E', label: 'Mask eraser', group: 'Mask', match: key('e') },
  {
    action: 'brushSmaller',
    keys: '[',
    label: 'Smaller brush',
    group: 'Mask',
    match: (e) => e.code === 'BracketLeft' || e.key === '[',
  },
  {
    action: 'brushBigger',
    keys: ']',
    label: 'Bigger brush',
    group: 'Mask',
    match: (e) => e.code === 'BracketRight' || e.key === ']',
  },
  {
    action: 'featherLess',
    keys: 'Shift+[',
    label: 'Harder edge (less feather)',
    group: 'Mask',
    shift: true,
    match: (e) => e.code === 'BracketLeft' || e.key === '{',
  },
  {
    action: 'featherMore',
    keys: 'Shift+]',
    label: 'Softer edge (more feather)',
    group: 'Mask',
    shift: true,
    match: (e) => e.code === 'BracketRight' || e.key === '}',
  },
  { action: 'invertMask', keys: 'Shift+I', label: 'Invert the mask', group: 'Mask', shift: true, match: key('i') },
  { action: 'clearMask', keys: 'Delete', label: 'Clear the mask', group: 'Mask', match: key('delete', 'backspace') },
  { action: 'toggleOverlay', keys: 'M', label: 'Show / hide the mask overlay', group: 'Mask', match: key('m') },
  { action: 'hand', keys: 'H', label: 'Pan tool', group: 'View', match: key('h') },
  {
    action: 'zoomIn',
    keys: '+',
    label: 'Zoom in (or the mouse wheel)',
    group: 'View',
    match: (e) => e.key === '+' || e.key === '=',
  },
  { action: 'zoomOut', keys: '−', label: 'Zoom out', group: 'View', match: (e) => e.key === '-' || e.key === '_' },
  { action: 'zoomFit', keys: '0', label: 'Fit the image to the view', group: 'View', match: (e) => e.key === '0' },
  {
    action: 'zoomActual',
    keys: '1',
    label: '100 % (one image pixel per screen pixel)',
    group: 'View',
    match: (e) => e.key === '1',
  },
  {
    action: 'compare',
    keys: 'C',
    label: 'Compare with the previous turn (before/after; drag on the image to move the line)',
    group: 'View',
    match: key('c'),
  },
  { action: 'help', keys: '?', label: 'This list', group: 'General', shift: true, match: (e) => e.key === '?' },
];

/** Keys handled outside the table: documented in the help overlay only. */
const EXTRA: { keys: string; label: string; group: Shortcut['group'] }[] = [
  { keys: 'Space+drag', label: 'Pan (also the middle mouse button)', group: 'View' },
  { keys: '↑ / ↓', label: 'Earlier instructions (in the instruction field)', group: 'Edit' },
  {
    keys: '↑ ↓ ← →, Enter',
    label: 'In History: move between turns (← parent, → first child), show one',
    group: 'Edit',
  },
  { keys: 'Ctrl+V', label: 'Paste an image (into References when that panel has focus)', group: 'Edit' },
];

/**
 * The action a key press triggers, or null.
 * @param typing - focus is in a text field: only Ctrl/⌘ combos (except undo/redo, which edit the text) and Escape count
 */
export function getShortcutAction(e: KeyInput, typing: boolean): ShortcutAction | null {
  const mod = e.ctrlKey || e.metaKey;
  if (e.altKey) return null;
  for (const s of SHORTCUTS) {
    if (!!s.mod !== mod) continue;
    if (s.action !== 'help' && s.action !== 'zoomIn' && !!s.shift !== e.shiftKey) continue;
    if (!s.match(e)) continue;
    if (typing && !(s.action === 'cancel' || (s.mod && s.action !== 'undo' && s.action !== 'redo'))) return null;
    return s.action;
  }
  return null;
}

/** The help overlay's content, grouped. */
export function getShortcutGroups(): { title: string; items: { keys: string; action: string }[] }[] {
  const groups = ['Edit', 'Mask', 'View', 'General'] as const;
  return groups.map((g) => ({
    title: g,
    items: [
      ...SHORTCUTS.filter((s) => s.group === g && s.keys).map((s) => ({ keys: s.keys, action: s.label })),
      ...EXTRA.filter((x) => x.group === g).map((x) => ({ keys: x.keys, action: x.label })),
    ],
  }));
}
