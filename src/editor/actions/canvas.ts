/**
 * @file Canvas actions: tools, brush, the draft mask, zoom/pan and the before/after comparison.
 */
import type { MaskImage } from '../../../workers/api';
import { createMask, invertMask, isMaskEmpty } from '../mask';
import { selectCurrentTurn } from '../selectors';
import { MASK_UNDO_LIMIT } from '../state';
import type { ActiveTool } from '../tools/CanvasTools';
import { actualSize, fitViewport, stepZoom, zoomAt, type Size, type Viewport } from '../viewport';
import type { ActionContext } from './context';

export interface CanvasActions {
  setTool(tool: ActiveTool): void;
  setBrush(brush: Partial<{ size: number; feather: number }>): void;
  /** `[` / `]`: one step smaller or bigger (×1.25). */
  stepBrushSize(direction: 1 | -1): void;
  /** The draft mask, created empty at the current image's size on first use; null without an image. */
  ensureMask(): MaskImage | null;
  /** Pixels changed in place during a stroke. */
  maskPainted(): void;
  /** A stroke is final; `before` is the mask as it was before it (undo brings it back). */
  maskCommitted(before: MaskImage): void;
  /** Puts back the mask a cancelled stroke started from (not an undo step). */
  restoreMask(snapshot: MaskImage): void;
  /** Ctrl+Z on the mask: takes back the last stroke, invert or clear. @returns false when there is none. */
  undoMask(): boolean;
  redoMask(): boolean;
  invertMask(): void;
  clearMask(): void;
  toggleOverlay(): void;
  setViewSize(size: Size): void;
  setViewport(viewport: Viewport): void;
  zoomStep(direction: 1 | -1): void;
  zoomAtPoint(factor: number, x: number, y: number): void;
  zoomFit(): void;
  zoomActual(): void;
  toggleCompare(): void;
  setCompareSplit(split: number): void;
}

/** Same pixels (null, no mask, equals an all-keep mask). */
function sameMask(a: MaskImage | null, b: MaskImage | null): boolean {
  if (!a || !b) return isMaskEmpty(a) && isMaskEmpty(b);
  return a.width === b.width && a.height === b.height && a.data.every((v, i) => v === b.data[i]);
}

const BRUSH_MIN = 1;
const BRUSH_MAX = 512;

export function createCanvasActions(ctx: ActionContext<CanvasActions>): CanvasActions {
  const { get, set } = ctx;
  const imageSize = (): Size | null => selectCurrentTurn(get())?.image ?? null;
  const committed = () => set((s) => ({ maskRevision: s.maskRevision + 1, revision: s.revision + 1 }));
  /** Records `before` as an undo step of the mask change just made. */
  const changed = (before: MaskImage | null) => {
    if (sameMask(before, get().mask)) return; // an undo step that changes nothing would make Ctrl+Z look broken
    set((s) => ({ maskHistory: { undo: [...s.maskHistory.undo, before].slice(-MASK_UNDO_LIMIT), redo: [] } }));
    committed();
  };
  /** Moves the current mask onto one stack and the top of the other into place. */
  const swapMask = (from: 'undo' | 'redo'): boolean => {
    const s = get();
    const stack = s.maskHistory[from];
    if (!stack.length || s.job) return false;
    const to = from === 'undo' ? 'redo' : 'undo';
    set({
      mask: stack[stack.length - 1],
      overlayVisible: true, // what undo and redo change must be seen
      maskHistory: {
        ...s.maskHistory,
        [from]: stack.slice(0, -1),
        [to]: [...s.maskHistory[to], s.mask],
      },
    });
    committed();
    return true;
  };

  const actions: CanvasActions = {
    setTool: (tool) => set({ tool }),
    setBrush(brush) {
      const b = { ...get().brush, ...brush };
      set({
        brush: {
          size: Math.round(Math.min(BRUSH_MAX, Math.max(BRUSH_MIN, b.size))),
          feather: Math.min(1, Math.max(0, b.feather)),
        },
      });
    },
    stepBrushSize(direction) {
      const size = get().brush.size;
      const next = direction > 0 ? Math.max(size + 1, size * 1.25) : Math.min(size - 1, size / 1.25);
      actions.setBrush({ size: next });
    },
    ensureMask() {
      const s = get();
      const size = imageSize();
      if (!size) return null;
      if (s.mask && s.mask.width === size.width && s.mask.height === size.height) return s.mask;
      const mask = createMask(size.width, size.height);
      set({ mask });
      return mask;
    },
    // Painting shows the overlay: a stroke under a hidden overlay would be an invisible change.
    maskPainted: () => set((s) => ({ maskRevision: s.maskRevision + 1, overlayVisible: true })),
    maskCommitted: changed,
    restoreMask(snapshot) {
      set({ mask: snapshot });
      committed();
    },
    undoMask: () => swapMask('undo'),
    redoMask: () => swapMask('redo'),
    invertMask() {
      const before = get().mask;
      const mask = actions.ensureMask();
      if (!mask) return;
      set({ mask: invertMask(mask), overlayVisible: true });
      changed(before);
    },
    clearMask() {
      const before = get().mask;
      if (!before) return;
      set({ mask: null });
      changed(before);
    },
    toggleOverlay: () => set((s) => ({ overlayVisible: !s.overlayVisible })),
    setViewSize(size) {
      const s = get();
      if (size.width === s.viewSize.width && size.height === s.viewSize.height) return;
      const image = imageSize();
      // Refit while the user has not zoomed or panned; otherwise keep the image centre where it was.
      set({
        viewSize: size,
        viewport:
          image && s.autoFit
            ? fitViewport(image, size)
            : {
                ...s.viewport,
                panX: s.viewport.panX + (size.width - s.viewSize.width) / 2,
                panY: s.viewport.panY + (size.height - s.viewSize.height) / 2,
              },
      });
    },
    setViewport: (viewport) => set({ viewport, autoFit: false }),
    zoomStep: (direction) => set((s) => ({ viewport: stepZoom(s.viewport, direction, s.viewSize), autoFit: false })),
    zoomAtPoint: (factor, x, y) => set((s) => ({ viewport: zoomAt(s.viewport, factor, x, y), autoFit: false })),
    zoomFit() {
      const image = imageSize();
      if (image) set((s) => ({ viewport: fitViewport(image, s.viewSize), autoFit: true }));
    },
    zoomActual() {
      const image = imageSize();
      if (image) set((s) => ({ viewport: actualSize(image, s.viewSize), autoFit: false }));
    },
    toggleCompare() {
      const turn = selectCurrentTurn(get());
      set((s) => ({ compare: !s.compare && !!turn?.parentId }));
    },
    setCompareSplit: (split) => set({ compareSplit: Math.min(1, Math.max(0, split)) }),
  };
  return actions;
}
