/** Thin selector hooks: one narrow value each, so components re-render only when it changes. */
import {
  selectCanRedo,
  selectCanUndo,
  selectCurrentImage,
  selectCurrentTurn,
  selectGenerateBlocker,
  selectHasMask,
  selectParentImage,
} from '../editor/selectors';
import { selectOutsideDomain } from '../editor/domain';
import { useStudio } from './useStudio';

export const useCurrentTurn = () => useStudio(selectCurrentTurn);
export const useCurrentImage = () => useStudio(selectCurrentImage);
export const useParentImage = () => useStudio(selectParentImage);
export const useGenerateBlocker = () => useStudio(selectGenerateBlocker);
export const useCanUndo = () => useStudio(selectCanUndo);
export const useCanRedo = () => useStudio(selectCanRedo);
export const useHasMask = () => useStudio(selectHasMask);
export const useOutsideDomain = () => useStudio(selectOutsideDomain);
