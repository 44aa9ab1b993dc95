import type { Viewport } from '../viewport';
import type { Tool, ToolEvent } from './events';

export interface PanContext {
  getViewport(): Viewport;
  setViewport(viewport: Viewport): void;
}

type PanState = 'idle' | 'ready' | 'dragging';

/**
 * Pans the view. States: `idle` → (Space down, or the hand tool) `ready` → (pointer down) `dragging` →
 * (pointer up) `ready` / `idle`. The middle button drags from any state; Escape or cancel while dragging puts
 * the view back where the drag began.
 */
export class PanTool implements Tool {
  static readonly id = 'pan';
  private state: PanState = 'idle';
  private spaceHeld = false;
  private handActive = false;
  private start: { x: number; y: number; viewport: Viewport } | null = null;

  constructor(private readonly ctx: PanContext) {}

  get path(): string {
    return `${PanTool.id}.${this.state}`;
  }

  /** The hand tool keeps the pan tool ready without holding Space. */
  setHandActive(active: boolean): void {
    this.handActive = active;
    if (this.state !== 'dragging') this.state = this.wantsReady() ? 'ready' : 'idle';
  }

  private wantsReady(): boolean {
    return this.spaceHeld || this.handActive;
  }

  handle(e: ToolEvent): boolean {
    switch (e.type) {
      case 'keydown':
        if (e.key !== ' ') return false;
        this.spaceHeld = true;
        if (this.state === 'idle') this.state = 'ready';
        return true;
      case 'keyup':
        if (e.key !== ' ') return false;
        this.spaceHeld = false;
        if (this.state === 'ready' && !this.handActive) this.state = 'idle';
        return true;
      case 'pointerdown':
        if (this.state === 'dragging' || !(e.button === 1 || (e.button === 0 && this.state === 'ready'))) return false;
        this.start = { x: e.x, y: e.y, viewport: this.ctx.getViewport() };
        this.state = 'dragging';
        return true;
      case 'pointermove': {
        if (this.state !== 'dragging' || !this.start) return this.state === 'ready';
        const { viewport } = this.start;
        this.ctx.setViewport({
          ...viewport,
          panX: viewport.panX + e.x - this.start.x,
          panY: viewport.panY + e.y - this.start.y,
        });
        return true;
      }
      case 'pointerup':
        if (this.state !== 'dragging') return this.state === 'ready';
        this.start = null;
        this.state = this.wantsReady() ? 'ready' : 'idle';
        return true;
      case 'cancel':
        if (this.state !== 'dragging' || !this.start) return false;
        this.ctx.setViewport(this.start.viewport);
        this.start = null;
        this.state = this.wantsReady() ? 'ready' : 'idle';
        return true;
    }
  }
}
