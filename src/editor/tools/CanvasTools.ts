import { CompareTool, type CompareContext } from './CompareTool';
import type { Tool, ToolEvent } from './events';
import { MaskBrushTool, type BrushContext } from './MaskBrushTool';
import { PanTool, type PanContext } from './PanTool';

/** The tool the user picked: paint the mask, erase it, or move the view. */
export type ActiveTool = 'brush' | 'eraser' | 'hand';

/**
 * The canvas's root state: routes each event to the pan tool first (Space, middle button, hand tool), then to the
 * before/after line while comparing, else to the mask brush when a mask tool is active. `path` reads like tldraw's,
 * e.g. `root.pan.dragging`. A drag in progress keeps the pointer until it ends.
 */
export class CanvasTools {
  readonly pan: PanTool;
  readonly brush: MaskBrushTool;
  readonly compare: CompareTool;
  private active: ActiveTool = 'brush';
  private comparing = false;
  private lastHandled: Tool;
  private readonly listeners = new Set<(path: string) => void>();

  constructor(ctx: PanContext & BrushContext & CompareContext) {
    this.pan = new PanTool(ctx);
    this.brush = new MaskBrushTool(ctx);
    this.compare = new CompareTool(ctx);
    this.lastHandled = this.brush;
  }

  setActiveTool(tool: ActiveTool): void {
    this.notifyAfter(() => {
      this.active = tool;
      this.syncHand();
    });
  }

  /** Comparing before/after: the primary button moves the split line (even with the hand tool); Space still pans. */
  setComparing(comparing: boolean): void {
    this.notifyAfter(() => {
      this.comparing = comparing;
      this.syncHand();
    });
  }

  private syncHand(): void {
    this.pan.setHandActive(this.active === 'hand' && !this.comparing);
  }

  /** Calls `listener` with the new path whenever it changes (the canvas sets its cursor from it). */
  subscribe(listener: (path: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notifyAfter<T>(work: () => T): T {
    const before = this.path;
    const result = work();
    const after = this.path;
    if (after !== before) this.listeners.forEach((l) => l(after));
    return result;
  }

  get path(): string {
    if (this.brush.path === 'brush.painting') return `root.${this.brush.path}`;
    if (this.compare.path === 'compare.dragging') return `root.${this.compare.path}`;
    if (this.pan.path !== 'pan.idle') return `root.${this.pan.path}`;
    if (this.comparing) return `root.${this.compare.path}`;
    return `root.${this.active === 'hand' ? this.pan.path : this.brush.path}`;
  }

  /** @returns true when a tool used the event (the caller then prevents the browser's default). */
  dispatch(event: ToolEvent): boolean {
    return this.notifyAfter(() => this.routeEvent(event));
  }

  private routeEvent(event: ToolEvent): boolean {
    // A drag in progress (a stroke, the split line) keeps the pointer until it ends, and Escape cancels it; Space
    // mid-drag does not steal it.
    const drag =
      this.brush.path === 'brush.painting'
        ? this.brush
        : this.compare.path === 'compare.dragging'
          ? this.compare
          : null;
    const escape = event.type === 'keydown' && event.key === 'Escape';
    if (drag && (escape || (event.type !== 'keydown' && event.type !== 'keyup'))) return this.route(drag, event);
    if (this.pan.handle(event)) {
      this.lastHandled = this.pan;
      if (event.type === 'pointermove') this.brush.hover = null;
      return true;
    }
    if (this.comparing) {
      this.brush.hover = null; // no brush outline: the pointer is not painting
      return this.route(this.compare, event);
    }
    if (this.active === 'hand') return false;
    return this.route(this.brush, event);
  }

  private route(tool: Tool, event: ToolEvent): boolean {
    this.lastHandled = tool;
    return tool.handle(event);
  }

  /** The tool that handled the last event (for the cursor). */
  get current(): Tool {
    return this.lastHandled;
  }
}
