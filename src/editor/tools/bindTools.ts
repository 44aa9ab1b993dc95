import type { StudioStore } from '../store';
import { CanvasTools } from './CanvasTools';

/**
 * Wires the canvas tools to the store: they read the viewport, brush and mask from it and report through
 * its actions. Keeps the tools' active tool in step with the store's.
 */
export function createStoreTools(store: StudioStore): CanvasTools {
  const s = () => store.getState();
  const tools = new CanvasTools({
    getViewport: () => s().viewport,
    setViewport: (viewport) => s().setViewport(viewport),
    getMask: () => (s().job ? null : s().ensureMask()), // no painting while an edit runs on this mask
    getBrush: () => ({ ...s().brush, mode: s().tool === 'eraser' ? 'erase' : 'paint' }),
    onChange: () => s().maskPainted(),
    onCommit: (before) => s().maskCommitted(before),
    onRestore: (snapshot) => s().restoreMask(snapshot),
  });
  tools.setActiveTool(s().tool);
  store.subscribe((state, prev) => {
    if (state.tool !== prev.tool) tools.setActiveTool(state.tool);
  });
  return tools;
}
