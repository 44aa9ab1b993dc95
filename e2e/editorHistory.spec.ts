/**
 * The history as a tree (issue #14 item 6): siblings fan out from their parent like a commit graph, branches say
 * where they start, turns are numbered by depth, and the tree is a keyboard-navigable ARIA tree. Also the
 * "no change" mark on an edit that left its input as it was (item 3).
 */
import { expect, test, type Page } from '@playwright/test';
import {
  imagePointToScreen,
  maskCoverage,
  openEditorWithModel,
  openSampleInNewSession,
  saveScreenshot,
  useBackend,
} from './editor/app';
import { EDIT_TIMEOUT } from './editor/engine';
import { BRANCHY_TURNS, makeTreeSession } from './editor/treeSessions';
import { useSharedPage } from './sharedPage';

test.use({ viewport: { width: 1440, height: 900 } });

/** Where review screenshots of the history go besides test-results (HISTORY_SHOTS_DIR to change). */
const SHOTS = process.env.HISTORY_SHOTS_DIR ?? '/tmp/shots-history';

async function importTree(page: Page, currentId: string) {
  await page.getByRole('tab', { name: 'Sessions' }).click();
  await page.getByTestId('import-session').setInputFiles({
    name: 'variations.kontext',
    mimeType: 'application/octet-stream',
    buffer: makeTreeSession('Variations', BRANCHY_TURNS, currentId),
  });
  await expect(page.getByTestId('turn')).toHaveCount(BRANCHY_TURNS.length);
}

const row = (page: Page, id: string) => page.locator(`[data-testid="turn"][data-turn-id="${id}"]`);
const focusedTurn = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-turn-id') ?? null);
const dotX = async (page: Page, id: string) => {
  const box = (await row(page, id).locator('.graph-dot').boundingBox())!;
  return Math.round(box.x + box.width / 2);
};

// One boot for the four tests (e2e/sharedPage.ts): each imports its own copy of the tree, or starts a new session.
test.describe.serial('one page', () => {
  const get = useSharedPage(openEditorWithModel);

  test('history: siblings fan out from their parent, branches name where they start, turns count by depth', async () => {
    const page = get();
    await importTree(page, 'a3');
    const tree = page.getByRole('tree', { name: 'History' });
    await expect(tree.getByRole('treeitem')).toHaveCount(8);
    // Depth-first, children under their parent; the number is the distance from the original, the chip the branch.
    await expect(page.getByTestId('turn')).toHaveText([
      /^Original/,
      /^Turn 1make the circle blue$/,
      /^Turn 2remove the star$/,
      /^Turn 3make the background yellow$/,
      /^Turn 3Afrom Turn 2make the background gray$/,
      /^Turn 1Bfrom Originalmake the circle blue$/,
      /^Turn 2Bno changeadd the word HELLO$/,
      /^Turn 1Cfrom Originalmake the circle blue$/,
    ]);
    // The three variations of the original are siblings: level 2, 1–3 of 3.
    for (const [id, pos] of [
      ['v1', '1'],
      ['v2', '2'],
      ['v3', '3'],
    ] as const) {
      await expect(row(page, id)).toHaveAttribute('aria-level', '2');
      await expect(row(page, id)).toHaveAttribute('aria-posinset', pos);
      await expect(row(page, id)).toHaveAttribute('aria-setsize', '3');
    }
    await expect(row(page, 'b3')).toHaveAttribute('aria-level', '4');
    await expect(row(page, 'b3')).toHaveAccessibleName('Turn 3, branch A from Turn 2: make the background gray');
    await expect(row(page, 'a3')).toHaveAttribute('aria-selected', 'true');

    // The graph: the main line is one lane; each sibling and branch forks into a lane of its own.
    const x = Object.fromEntries(await Promise.all(BRANCHY_TURNS.map(async (t) => [t.id, await dotX(page, t.id)])));
    expect(new Set([x.root, x.v1, x.a2, x.a3]).size).toBe(1);
    expect(x.b3).toBeGreaterThan(x.a3);
    expect(x.v2).toBeGreaterThan(x.b3); // the line from the original to v2 passes b3's row
    expect(x.v3).toBeGreaterThan(x.v2);
    expect(x.c2).toBe(x.v2); // c2 continues v2's line
    await expect(row(page, 'root').locator('path')).toHaveCount(3); // three lines leave the original
    await saveScreenshot(page, test.info(), '20-history-tree');
    await page.screenshot({ path: `${SHOTS}/history-tree-1440x900.png` });
    await page.locator('.panel.history').screenshot({ path: `${SHOTS}/history-tree-panel.png` });
    await row(page, 'c2').click();
    await page.screenshot({ path: `${SHOTS}/history-tree-no-change-1440x900.png` });
  });

  test('history: arrow keys move between turns, Enter and Space show the focused one', async () => {
    const page = get();
    await importTree(page, 'a3');
    // One tab stop, on the shown turn.
    await expect(page.locator('[data-testid="turn"][tabindex="0"]')).toHaveCount(1);
    await expect(row(page, 'a3')).toHaveAttribute('tabindex', '0');
    await row(page, 'a3').focus();

    await page.keyboard.press('ArrowDown');
    expect(await focusedTurn(page)).toBe('b3');
    await page.locator('.panel.history').screenshot({ path: `${SHOTS}/history-tree-keyboard-focus.png` });
    await expect(row(page, 'a3')).toHaveAttribute('aria-current', 'step'); // moving focus does not change the image
    await page.keyboard.press('Enter');
    await expect(row(page, 'b3')).toHaveAttribute('aria-current', 'step');
    await expect(page.getByTestId('turn-details').getByRole('heading')).toHaveText('Turn 3 · branch A');
    await expect(page.getByTestId('turn-details')).toContainText('make the background gray');

    await page.keyboard.press('ArrowLeft'); // to the parent
    expect(await focusedTurn(page)).toBe('a2');
    await page.keyboard.press('ArrowLeft');
    expect(await focusedTurn(page)).toBe('v1');
    await page.keyboard.press('ArrowRight'); // to the first child
    expect(await focusedTurn(page)).toBe('a2');
    await page.keyboard.press('End');
    expect(await focusedTurn(page)).toBe('v3');
    await page.keyboard.press(' ');
    await expect(row(page, 'v3')).toHaveAttribute('aria-current', 'step');
    await page.keyboard.press('ArrowUp');
    expect(await focusedTurn(page)).toBe('c2');
    await page.keyboard.press('Home');
    expect(await focusedTurn(page)).toBe('root');
    await page.keyboard.press('ArrowUp'); // nothing above the original
    expect(await focusedTurn(page)).toBe('root');

    // Undo moves the shown turn, and the tab stop goes with it.
    await page.keyboard.press('Control+z');
    await expect(row(page, 'root')).toHaveAttribute('aria-current', 'step');
    await page.keyboard.press('Control+Shift+z');
    await expect(row(page, 'v3')).toHaveAttribute('aria-current', 'step');
    await expect(row(page, 'v3')).toHaveAttribute('tabindex', '0');
  });

  test('history: an edit that changed nothing is marked in the list and explained in the turn details', async () => {
    const page = get();
    await importTree(page, 'c2');
    await expect(row(page, 'c2')).toHaveAttribute('data-unchanged', 'true');
    await expect(page.locator('[data-unchanged]')).toHaveCount(1);
    const details = page.getByTestId('turn-details');
    await expect(details.getByTestId('changed-share')).toHaveText('0 % of pixels: no visible change');
    await expect(details.getByTestId('no-change-hint')).toContainText('The model left the image exactly as it was.');
    await expect(details.getByTestId('no-change-hint')).toContainText('Try rephrasing the instruction');
    await expect(details.getByTestId('no-change-hint')).toContainText('a mask over what should change');
    await row(page, 'v2').click();
    await expect(details.getByTestId('no-change-hint')).toHaveCount(0);
    await expect(details.getByTestId('changed-share')).not.toContainText('no visible change');
  });

  test('a real edit that changed (almost) nothing is kept, marked, and reported with what to try', async () => {
    test.setTimeout(2 * EDIT_TIMEOUT);
    const page = get();
    await useBackend(page, 'wasm');
    await openSampleInNewSession(page, 'Circle, star and square');
    // A mask of ~50 pixels: whatever the model does inside it, under 0.5 % of the 128×128 image can change.
    await page.getByLabel('Brush size (image pixels)').fill('8');
    const dab = await imagePointToScreen(page, 8, 8);
    await page.mouse.click(dab.x, dab.y);
    expect(await maskCoverage(page)).toBeGreaterThan(0);
    expect(await maskCoverage(page)).toBeLessThan(0.5);
    await page.getByTestId('prompt-input').fill('make the sky pink');
    await page.getByTestId('prompt-input').press('Control+Enter');
    await expect(page.getByTestId('turn')).toHaveCount(2, { timeout: EDIT_TIMEOUT });

    const warning = page.getByTestId('notice-warning');
    await expect(warning).toContainText(/Turn 1 changed (no pixels|almost nothing \(under 0\.5 % of the pixels\))\./);
    await expect(warning).toContainText('kept in the history, marked “no change”');
    await expect(warning).toContainText('Try rephrasing the instruction, a bigger mask, more steps');
    await expect(page.locator('[data-testid="turn"][data-depth="1"]')).toHaveAttribute('data-unchanged', 'true');
    await expect(page.getByTestId('changed-share')).toContainText('no visible change');
    await saveScreenshot(page, test.info(), '23-no-change-notice');
    await page.screenshot({ path: `${SHOTS}/no-change-notice-1440x900.png` });
  });
});
