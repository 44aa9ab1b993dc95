import type { StudioDeps } from '../ports';
import type { StudioState } from '../state';

/** How action modules reach the store: read, write, and the injected ports. */
export interface ActionContext<A> {
  get: () => StudioState & A;
  set: (partial: Partial<StudioState> | ((s: StudioState) => Partial<StudioState>)) => void;
  deps: StudioDeps;
}

/** Removes a key from a record without mutating it. */
export function omitKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}
