/**
 * @file The toast stack, derived from the latest notice. Actions only ever set `notice` (one message, or null);
 * the store follows each change with {@link followNotice}, so several messages in a row (three bad files in
 * one drop) all stay readable instead of each replacing the last.
 */
import type { Notice, Toast } from './state';

/** More than this and the oldest go: a stack taller than a few lines hides the work it reports on. */
export const MAX_TOASTS = 4;

/**
 * The toasts after the latest notice became `next`. Null withdraws them all: the actions that clear the notice
 * do so because the user acted again (a new job, other files), which makes the earlier messages stale. A text
 * already shown moves to the top instead of appearing twice.
 */
export function followNotice(toasts: Toast[], next: Notice | null, id: number): Toast[] {
  if (!next) return toasts.length ? [] : toasts;
  const rest = toasts.filter((t) => t.text !== next.text || t.severity !== next.severity);
  return [...rest, { ...next, id }].slice(-MAX_TOASTS);
}

/** The toasts without the one the user dismissed (or that timed out). */
export function withoutToast(toasts: Toast[], id: number): Toast[] {
  return toasts.some((t) => t.id === id) ? toasts.filter((t) => t.id !== id) : toasts;
}
