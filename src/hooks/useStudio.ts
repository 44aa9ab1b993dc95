import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { Studio, StudioStore } from '../editor/store';

export const StudioContext = createContext<StudioStore | null>(null);

/** The store itself, for event handlers that read state at call time. */
export function useStudioStore(): StudioStore {
  const store = useContext(StudioContext);
  if (!store) throw new Error('useStudio must be used inside <StudioContext.Provider>');
  return store;
}

/** Selects one slice of the studio state; re-renders only when that slice changes. */
export function useStudio<T>(selector: (state: Studio) => T): T {
  return useStore(useStudioStore(), selector);
}

/** Selects several values at once (shallow-compared), e.g. `useStudioShallow((s) => ({ a: s.a, b: s.b }))`. */
export function useStudioShallow<T>(selector: (state: Studio) => T): T {
  return useStore(useStudioStore(), useShallow(selector));
}

/** Every action (stable functions): `const actions = useActions(); actions.undo()`. */
export function useActions(): Studio {
  return useStudioStore().getState();
}
