import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { StudioActions, StudioState, StudioStore } from '../editor/studioStore';

export const StudioContext = createContext<StudioStore | null>(null);

/** Selects one slice of the studio state; re-renders only when that slice changes. */
export function useStudio<T>(selector: (state: StudioState & StudioActions) => T): T {
  const store = useContext(StudioContext);
  if (!store) throw new Error('useStudio must be used inside <StudioContext.Provider>');
  return useStore(store, selector);
}
