/**
 * @file Normalised input events the canvas tools receive. Coordinates are screen (CSS) pixels relative to
 * the canvas element; the canvas component translates DOM events into these, tests synthesise them.
 */

export type ToolEvent =
  | { type: 'pointerdown' | 'pointermove' | 'pointerup'; x: number; y: number; button: number }
  | { type: 'keydown' | 'keyup'; key: string }
  | { type: 'cancel' };

/** A tool is a small state machine: it consumes an event (returns true) or lets it pass to the next tool. */
export interface Tool {
  /** The active state path, e.g. `pan.dragging`. */
  readonly path: string;
  handle(event: ToolEvent): boolean;
}
