import type { Tool, ToolEvent } from './events';
import { MaskBrushTool, type BrushContext } from './MaskBrushTool';
import { PanTool, type PanContext } from './PanTool';

/** The tool the user picked: paint the mask, erase it, or move the view. */
export type ActiveTool = 'brush' | 'eraser' | 'hand';

/**
 * The canvas's root state: routes each event to the pan tool first (Space, middle button, hand tool), then
 * to the mask brush when a mask tool is active. `path` reads like tldraw's, e.g. `root.pan.dragging`.
 */
export class CanvasTools {
  readonly pan: PanTool;
  readonly brush: MaskBrushTool;
  private active: ActiveTool = 'brush';
  private lastHandled: Tool;
  private readonly listeners = new Set<(path: string) => void>();

  constructor(ctx: PanContext & BrushContext) {
    this.pan = new PanTool(ctx);
    this.brush = new MaskBrushTool(ctx);
    this.lastHandled = this.brush;
  }

  setActiveTool(tool: ActiveTool): void {
    this.notifyAfter(() => {
      this.active = tool;
      this.pan.setHandActive(tool === 'hand');
    });
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
    const panBusy = this.pan.path !== 'pan.idle';
    return `root.${panBusy || this.active === 'hand' ? this.pan.path : this.brush.path}`;
  }

  /** @returns true when a tool used the event (the caller then prevents the browser's default). */
  dispatch(event: ToolEvent): boolean {
    return this.notifyAfter(() => this.routeEvent(event));
  }

  private routeEvent(event: ToolEvent): boolean {
    // A stroke in progress keeps the pointer until it ends; Space mid-stroke does not steal it.
    if (this.brush.path === 'brush.painting' && event.type !== 'keydown' && event.type !== 'keyup')
      return this.route(this.brush, event);
    if (this.pan.handle(event)) {
      this.lastHandled = this.pan;
      if (event.type === 'pointermove') this.brush.hover = null;
      return true;
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
