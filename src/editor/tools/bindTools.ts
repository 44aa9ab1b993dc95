import { selectCurrentTurn } from '../selectors';
import type { StudioStore } from '../store';
import { CanvasTools } from './CanvasTools';

/**
 * Wires the canvas tools to the store: they read the viewport, brush, mask and split from it and report through
 * its actions. Keeps the tools' active tool and compare mode in step with the store's.
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
    getImageSize: () => selectCurrentTurn(s())?.image ?? null,
    getSplit: () => s().compareSplit,
    setSplit: (split) => s().setCompareSplit(split),
  });
  tools.setActiveTool(s().tool);
  tools.setComparing(s().compare);
  store.subscribe((state, prev) => {
    if (state.tool !== prev.tool) tools.setActiveTool(state.tool);
    if (state.compare !== prev.compare) tools.setComparing(state.compare);
  });
  return tools;
}
