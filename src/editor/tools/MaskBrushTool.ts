import type { MaskImage } from '../../../workers/api';
import { cloneMask, stampDab, strokeSegment, type BrushMode } from '../mask';
import { screenToImage, type Viewport } from '../viewport';
import type { Tool, ToolEvent } from './events';

/** Brush settings: size is the diameter in image pixels (so the brush covers the same pixels at any zoom). */
export interface BrushSettings {
  size: number;
  feather: number;
  mode: BrushMode;
}

export interface BrushContext {
  getViewport(): Viewport;
  /** The mask to paint into (created at the image's size on first use); null when no image is open. */
  getMask(): MaskImage | null;
  getBrush(): BrushSettings;
  /** Pixels changed during a stroke (redraw the overlay). */
  onChange(): void;
  /** A stroke finished; the mask is final (save it). */
  /** A stroke ended; `before` is the mask as it was when the stroke began (for undo). */
  onCommit(before: MaskImage): void;
  /** A stroke was cancelled; put this copy back. */
  onRestore(snapshot: MaskImage): void;
}

type BrushState = 'idle' | 'painting';

/**
 * Paints or erases the edit mask. States: `idle` → (primary button down on the image) `painting` → (up) `idle`.
 * A stroke starts only on the image, then follows the pointer anywhere. Escape or cancel while painting undoes the
 * stroke in progress.
 */
export class MaskBrushTool implements Tool {
  static readonly id = 'brush';
  private state: BrushState = 'idle';
  private last: { x: number; y: number } | null = null;
  private snapshot: MaskImage | null = null;
  /** Where the pointer is, in image pixels (for the brush outline); null when it left the canvas. */
  hover: { x: number; y: number } | null = null;

  constructor(private readonly ctx: BrushContext) {}

  get path(): string {
    return `${MaskBrushTool.id}.${this.state}`;
  }

  handle(e: ToolEvent): boolean {
    switch (e.type) {
      case 'pointerdown': {
        if (this.state !== 'idle' || e.button !== 0) return false;
        const mask = this.ctx.getMask();
        if (!mask) return false;
        const at = screenToImage(this.ctx.getViewport(), e.x, e.y);
        // Off the image a dab may paint nothing visible, and an invisible stroke would still be an undo step.
        if (at.x < 0 || at.y < 0 || at.x >= mask.width || at.y >= mask.height) return false;
        const { size, feather, mode } = this.ctx.getBrush();
        this.snapshot = cloneMask(mask);
        stampDab(mask, at.x, at.y, size, feather, mode);
        this.last = this.hover = at;
        this.state = 'painting';
        this.ctx.onChange();
        return true;
      }
      case 'pointermove': {
        const at = screenToImage(this.ctx.getViewport(), e.x, e.y);
        this.hover = at;
        if (this.state !== 'painting') return false;
        const mask = this.ctx.getMask();
        if (!mask || !this.last) return true;
        const { size, feather, mode } = this.ctx.getBrush();
        strokeSegment(mask, this.last, at, size, feather, mode);
        this.last = at;
        this.ctx.onChange();
        return true;
      }
      case 'pointerup':
        if (this.state !== 'painting' || !this.snapshot) return false;
        this.ctx.onCommit(this.snapshot);
        this.finish();
        return true;
      case 'keydown':
        if (e.key !== 'Escape' || this.state !== 'painting') return false;
        return this.handle({ type: 'cancel' });
      case 'keyup':
        return false;
      case 'cancel':
        if (this.state !== 'painting' || !this.snapshot) return false;
        this.ctx.onRestore(this.snapshot);
        this.finish();
        return true;
    }
  }

  private finish(): void {
    this.state = 'idle';
    this.last = null;
    this.snapshot = null;
  }
}
