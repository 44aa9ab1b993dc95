/**
 * @file The notice after a Generate whose edits changed (almost) nothing. Such a turn is kept like any other, but
 * marked (history, turn details), and the user is told at once instead of finding an identical image later, with
 * what is worth trying next.
 */
import { getTurnChange, isNoChange } from '../change';
import { getDepth } from '../history/tree';
import type { Notice, StudioState } from '../state';

/**
 * The warning for the edits of `parentId` made since it had the children `before` (one Generate: one turn, or its
 * variations), or null when every one of them changed something.
 */
export function noChangeNotice(s: StudioState, parentId: string, before: readonly string[]): Notice | null {
  const tree = s.tree;
  const made = tree?.nodes[parentId]?.childIds.filter((id) => !before.includes(id)) ?? [];
  if (!tree || !made.length) return null;
  const shares = made.map((id) => getTurnChange(tree, s.images, id));
  const unchanged = made.filter((_, i) => isNoChange(shares[i]!));
  if (!unchanged.length) return null;
  const none = unchanged.every((id) => getTurnChange(tree, s.images, id) === 0);
  const what = none ? 'changed no pixels' : 'changed almost nothing (under 0.5 % of the pixels)';
  const turn = tree.nodes[unchanged[0]!]!;
  const subject =
    made.length === 1
      ? `Turn ${getDepth(tree, turn.id)}`
      : unchanged.length === made.length
        ? `All ${made.length} variations`
        : `${unchanged.length} of ${made.length} variations`;
  const where = turn.mask ? 'a bigger mask' : 'a mask painted over what should change';
  const steps = turn.params ? `more steps (it used ${turn.params.steps})` : 'more steps';
  return {
    severity: 'warning',
    text:
      `${subject} ${what}. ${made.length === 1 ? 'It is' : 'They are'} kept in the history, marked “no change”. ` +
      `Try rephrasing the instruction, ${where}, ${steps}, or a bigger model.`,
  };
}
