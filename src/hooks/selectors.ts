/** Thin selector hooks: one narrow value each, so components re-render only when it changes. */
import {
  selectActiveBundle,
  selectCanRedo,
  selectCanUndo,
  selectCurrentImage,
  selectCurrentTurn,
  selectEmbeddedBundle,
  selectGenerateBlocker,
  selectHasMask,
  selectParentImage,
} from '../editor/selectors';
import { useStudio } from './useStudio';

export const useCurrentTurn = () => useStudio(selectCurrentTurn);
export const useCurrentImage = () => useStudio(selectCurrentImage);
export const useParentImage = () => useStudio(selectParentImage);
export const useJob = () => useStudio((s) => s.job);
export const useGenerateBlocker = () => useStudio(selectGenerateBlocker);
export const useActiveBundle = () => useStudio(selectActiveBundle);
export const useEmbeddedBundle = () => useStudio(selectEmbeddedBundle);
export const useCanUndo = () => useStudio(selectCanUndo);
export const useCanRedo = () => useStudio(selectCanRedo);
export const useHasMask = () => useStudio(selectHasMask);
