import { describe, expect, it } from 'vitest';
import { createTestDeps, testImage } from '../testing/fakes';
import { followNotice, MAX_TOASTS, withoutToast } from './notices';
import { createStudioStore } from './store';

describe('toasts follow the latest notice', () => {
  it('stack new notices, move a repeated text to the top, keep the newest few', () => {
    let toasts = followNotice([], { severity: 'error', text: 'a' }, 1);
    toasts = followNotice(toasts, { severity: 'info', text: 'b' }, 2);
    toasts = followNotice(toasts, { severity: 'error', text: 'a' }, 3);
    expect(toasts).toEqual([
      { severity: 'info', text: 'b', id: 2 },
      { severity: 'error', text: 'a', id: 3 },
    ]);
    for (let i = 0; i < 10; i++) toasts = followNotice(toasts, { severity: 'warning', text: `w${i}` }, 10 + i);
    expect(toasts.map((t) => t.text)).toEqual(['w6', 'w7', 'w8', 'w9']);
    expect(toasts).toHaveLength(MAX_TOASTS);
  });

  it('null withdraws them all; dismissing takes one', () => {
    const toasts = followNotice(
      followNotice([], { severity: 'error', text: 'a' }, 1),
      { severity: 'info', text: 'b' },
      2,
    );
    expect(withoutToast(toasts, 1)).toEqual([{ severity: 'info', text: 'b', id: 2 }]);
    expect(withoutToast(toasts, 99)).toBe(toasts);
    expect(followNotice(toasts, null, 3)).toEqual([]);
  });

  it('the store stacks whatever actions report, and a dismissed toast leaves the others', async () => {
    const store = createStudioStore(createTestDeps().deps);
    await store.getState().boot();
    const s = () => store.getState();
    s().report({ severity: 'error', text: '"a.txt" is not an image' });
    s().report({ severity: 'error', text: '"b.txt" is not an image' });
    s().addReference('r.png', testImage()); // nothing open: an error
    expect(s().toasts.map((t) => t.text)).toEqual([
      '"a.txt" is not an image',
      '"b.txt" is not an image',
      'Open an image to edit before adding references.',
    ]);
    s().dismissToast(s().toasts[0]!.id);
    expect(s().toasts).toHaveLength(2);
    s().report(null);
    expect(s().toasts).toEqual([]);
  });
});
