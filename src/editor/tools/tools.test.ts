import { describe, expect, it } from 'vitest';
import type { MaskImage } from '../../../workers/api';
import { countRepaint, createMask } from '../mask';
import type { Viewport } from '../viewport';
import { CanvasTools } from './CanvasTools';
import type { BrushSettings } from './MaskBrushTool';

/** A TestEditor in the tldraw spirit: a viewport, a mask and counters, driven by synthetic events. */
function setup(brush: Partial<BrushSettings> = {}) {
  const viewport: Viewport = { zoom: 2, panX: 0, panY: 0 };
  const settings: BrushSettings = { size: 4, feather: 0, mode: 'paint', ...brush };
  const state = {
    viewport,
    mask: createMask(50, 50) as MaskImage | null,
    brush: settings,
    changes: 0,
    commits: 0,
    restores: 0,
    split: 0.5,
  };
  const tools = new CanvasTools({
    getViewport: () => state.viewport,
    setViewport: (vp) => {
      state.viewport = vp;
    },
    getMask: () => state.mask,
    getBrush: () => state.brush,
    onChange: () => {
      state.changes++;
    },
    onCommit: () => {
      state.commits++;
    },
    onRestore: (snapshot) => {
      state.mask = snapshot;
      state.restores++;
    },
    getImageSize: () => (state.mask ? { width: 50, height: 50 } : null),
    getSplit: () => state.split,
    setSplit: (split) => {
      state.split = split;
    },
  });
  const down = (x: number, y: number, button = 0) => tools.dispatch({ type: 'pointerdown', x, y, button });
  const move = (x: number, y: number) => tools.dispatch({ type: 'pointermove', x, y, button: 0 });
  const up = (x: number, y: number) => tools.dispatch({ type: 'pointerup', x, y, button: 0 });
  const key = (type: 'keydown' | 'keyup', k: string) => tools.dispatch({ type, key: k });
  return { state, tools, down, move, up, key };
}

describe('mask brush tool', () => {
  it('idle → painting → idle, painting in image pixels (screen / zoom)', () => {
    const { state, tools, down, move, up } = setup();
    expect(tools.path).toBe('root.brush.idle');
    expect(down(20, 20)).toBe(true);
    expect(tools.path).toBe('root.brush.painting');
    move(60, 20);
    up(60, 20);
    expect(tools.path).toBe('root.brush.idle');
    expect(state.commits).toBe(1);
    const m = state.mask!;
    expect(m.data[10 * 50 + 10]).toBe(255); // screen (20,20) at 2× = image (10,10)
    expect(m.data[10 * 50 + 30]).toBe(255);
    expect(m.data[30 * 50 + 30]).toBe(0);
  });

  it('erases with the eraser mode', () => {
    const { state, down, up } = setup();
    state.mask!.data.fill(255);
    state.brush.mode = 'erase';
    down(20, 20);
    up(20, 20);
    expect(state.mask!.data[10 * 50 + 10]).toBe(0);
    expect(state.mask!.data[0]).toBe(255);
  });

  it('Escape mid-stroke restores the mask as it was before the stroke', () => {
    const { state, tools, down, move, key } = setup();
    down(10, 10);
    move(80, 80);
    expect(countRepaint(state.mask!)).toBeGreaterThan(0);
    key('keydown', 'Escape');
    expect(tools.path).toBe('root.brush.idle');
    expect(state.restores).toBe(1);
    expect(countRepaint(state.mask!)).toBe(0);
    expect(state.commits).toBe(0);
  });

  it('starts a stroke only on the image: a click in the dark around it paints nothing and is not consumed', () => {
    const { state, tools, down, move, up } = setup(); // the 50×50 image covers screen 0…100 at 2×
    expect(down(-4, 40)).toBe(false);
    expect(down(40, 100)).toBe(false); // one pixel past the bottom edge
    expect(tools.path).toBe('root.brush.idle');
    expect(state.commits).toBe(0);
    expect(countRepaint(state.mask!)).toBe(0);
    // Started on the image, a stroke may leave it and come back.
    expect(down(98, 40)).toBe(true);
    move(140, 40);
    move(60, 40);
    up(60, 40);
    expect(state.commits).toBe(1);
    expect(state.mask!.data[20 * 50 + 30]).toBe(255);
  });

  it('does nothing without an image, and ignores the right button', () => {
    const { state, tools, down } = setup();
    expect(down(10, 10, 2)).toBe(false);
    state.mask = null;
    expect(down(10, 10)).toBe(false);
    expect(tools.path).toBe('root.brush.idle');
  });
});

describe('pan tool', () => {
  it('Space + drag pans, and the brush does not paint', () => {
    const { state, tools, down, move, up, key } = setup();
    key('keydown', ' ');
    expect(tools.path).toBe('root.pan.ready');
    down(100, 100);
    expect(tools.path).toBe('root.pan.dragging');
    move(130, 90);
    expect(state.viewport).toEqual({ zoom: 2, panX: 30, panY: -10 });
    up(130, 90);
    expect(tools.path).toBe('root.pan.ready');
    key('keyup', ' ');
    expect(tools.path).toBe('root.brush.idle');
    expect(countRepaint(state.mask!)).toBe(0);
  });

  it('the middle button drags from idle; releasing Space mid-drag ends in idle', () => {
    const { state, tools, down, move, up, key } = setup();
    down(0, 0, 1);
    expect(tools.path).toBe('root.pan.dragging');
    key('keydown', ' ');
    key('keyup', ' ');
    move(5, 5);
    up(5, 5);
    expect(tools.path).toBe('root.brush.idle');
    expect(state.viewport.panX).toBe(5);
  });

  it('cancel puts the view back where the drag began', () => {
    const { state, tools, down, move } = setup();
    down(0, 0, 1);
    move(50, 50);
    tools.dispatch({ type: 'cancel' });
    expect(state.viewport).toEqual({ zoom: 2, panX: 0, panY: 0 });
    expect(tools.path).toBe('root.brush.idle');
  });

  it('the hand tool pans with the primary button and never paints', () => {
    const { state, tools, down, move, up } = setup();
    tools.setActiveTool('hand');
    expect(tools.path).toBe('root.pan.ready');
    down(0, 0);
    move(-20, 0);
    up(-20, 0);
    expect(state.viewport.panX).toBe(-20);
    expect(countRepaint(state.mask!)).toBe(0);
    tools.setActiveTool('brush');
    expect(tools.path).toBe('root.brush.idle');
  });

  it('Space pressed mid-stroke does not interrupt the stroke', () => {
    const { state, tools, down, move, up, key } = setup();
    down(10, 10);
    key('keydown', ' ');
    move(40, 10);
    expect(tools.path).toBe('root.brush.painting');
    up(40, 10);
    expect(state.commits).toBe(1);
    expect(tools.path).toBe('root.pan.ready');
  });
});

describe('canvas tools root', () => {
  it('tells listeners when the state path changes', () => {
    const { tools, key, down, up } = setup();
    const seen: string[] = [];
    tools.subscribe((p) => seen.push(p));
    key('keydown', ' ');
    down(1, 1);
    up(1, 1);
    key('keyup', ' ');
    tools.setActiveTool('hand');
    expect(seen).toEqual([
      'root.pan.ready',
      'root.pan.dragging',
      'root.pan.ready',
      'root.brush.idle',
      'root.pan.ready',
    ]);
  });
});

describe('compare tool', () => {
  it('while comparing, a drag moves the before/after line and never paints', () => {
    const { state, tools, down, move, up } = setup();
    tools.setComparing(true);
    expect(tools.path).toBe('root.compare.idle');
    expect(down(20, 30)).toBe(true); // image x 10 of 50
    expect(tools.path).toBe('root.compare.dragging');
    expect(state.split).toBeCloseTo(0.2);
    move(80, 90);
    expect(state.split).toBeCloseTo(0.8);
    move(400, 0);
    expect(state.split).toBe(1); // past the edge: held at it
    up(400, 0);
    expect(tools.path).toBe('root.compare.idle');
    expect(countRepaint(state.mask!)).toBe(0);
    expect(state.commits).toBe(0);
    tools.setComparing(false);
    expect(tools.path).toBe('root.brush.idle');
  });

  it('Escape mid-drag puts the line back; Space and the middle button still pan', () => {
    const { state, tools, down, move, up, key } = setup();
    tools.setComparing(true);
    down(10, 10);
    move(90, 10);
    expect(tools.dispatch({ type: 'keydown', key: 'Escape' })).toBe(true);
    expect(state.split).toBe(0.5);
    expect(tools.path).toBe('root.compare.idle');
    key('keydown', ' ');
    down(10, 10);
    move(30, 10);
    up(30, 10);
    key('keyup', ' ');
    expect(state.viewport.panX).toBe(20);
    down(0, 0, 1);
    move(-10, 0);
    up(-10, 0);
    expect(state.viewport.panX).toBe(10);
    expect(state.split).toBe(0.5);
  });

  it('owns the primary button even with the hand tool; the hand pans again when comparing ends', () => {
    const { state, tools, down, move, up } = setup();
    tools.setActiveTool('hand');
    tools.setComparing(true);
    expect(tools.path).toBe('root.compare.idle');
    down(50, 0);
    up(50, 0);
    expect(state.split).toBeCloseTo(0.5);
    down(80, 0);
    up(80, 0);
    expect(state.split).toBeCloseTo(0.8);
    expect(state.viewport.panX).toBe(0);
    tools.setComparing(false);
    expect(tools.path).toBe('root.pan.ready');
    down(0, 0);
    move(15, 0);
    up(15, 0);
    expect(state.viewport.panX).toBe(15);
  });

  it('a stroke in progress keeps the pointer when comparing starts, and a split drag when it ends', () => {
    const { state, tools, down, move, up } = setup();
    down(10, 10);
    tools.setComparing(true);
    move(60, 10);
    up(60, 10);
    expect(state.commits).toBe(1);
    expect(state.split).toBe(0.5);
    down(20, 0);
    tools.setComparing(false);
    move(40, 0);
    expect(state.split).toBeCloseTo(0.4);
    up(40, 0);
    expect(tools.path).toBe('root.brush.idle');
    expect(state.commits).toBe(1);
  });
});
