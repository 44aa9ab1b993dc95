import { screenToImage, type Size, type Viewport } from '../viewport';
import type { Tool, ToolEvent } from './events';

export interface CompareContext {
  getViewport(): Viewport;
  /** The shown image's size in image pixels; null when nothing is shown. */
  getImageSize(): Size | null;
  getSplit(): number;
  /** Where the before/after line is, as a share of the image's width (0 = all after, 1 = all before). */
  setSplit(split: number): void;
}

type CompareState = 'idle' | 'dragging';

/**
 * Moves the before/after line while comparing: the primary button puts the line under the pointer and drags it.
 * States: `idle` → (primary down) `dragging` → (up) `idle`; Escape or cancel while dragging puts the line back.
 * While comparing this tool owns the pointer, so a drag meant for the line never paints the mask.
 */
export class CompareTool implements Tool {
  static readonly id = 'compare';
  private state: CompareState = 'idle';
  private startSplit = 0;

  constructor(private readonly ctx: CompareContext) {}

  get path(): string {
    return `${CompareTool.id}.${this.state}`;
  }

  handle(e: ToolEvent): boolean {
    switch (e.type) {
      case 'pointerdown':
        if (this.state !== 'idle' || e.button !== 0 || !this.ctx.getImageSize()) return false;
        this.startSplit = this.ctx.getSplit();
        this.state = 'dragging';
        this.moveTo(e.x, e.y);
        return true;
      case 'pointermove':
        if (this.state !== 'dragging') return false;
        this.moveTo(e.x, e.y);
        return true;
      case 'pointerup':
        if (this.state !== 'dragging') return false;
        this.state = 'idle';
        return true;
      case 'keydown':
        if (e.key !== 'Escape' || this.state !== 'dragging') return false;
        return this.handle({ type: 'cancel' });
      case 'keyup':
        return false;
      case 'cancel':
        if (this.state !== 'dragging') return false;
        this.ctx.setSplit(this.startSplit);
        this.state = 'idle';
        return true;
    }
  }

  private moveTo(x: number, y: number): void {
    const size = this.ctx.getImageSize();
    if (!size) return;
    const at = screenToImage(this.ctx.getViewport(), x, y);
    this.ctx.setSplit(Math.min(1, Math.max(0, at.x / size.width)));
  }
}
