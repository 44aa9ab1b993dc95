/**
 * Who owns the pointer on the canvas (issue #14 item 5): compare mode moves the before/after line instead of
 * painting, and the brush starts strokes only on the image, so Ctrl+Z never takes back a stroke nobody saw.
 */
import { expect, test } from '@playwright/test';
import {
  getView,
  imagePointToScreen,
  maskCoverage,
  openEditor,
  openImage,
  paintStroke,
  saveScreenshot,
} from './editor/app';
import { photoPng } from './editor/images';
import { makeTreeSession } from './editor/treeSessions';
import { useSharedPage } from './sharedPage';

test.use({ viewport: { width: 1440, height: 900 } });

// One boot for both (e2e/sharedPage.ts): each opens its own session, whose mask and undo history are its own.
test.describe.serial('one page', () => {
  const get = useSharedPage(openEditor);

  test('compare mode: dragging on the image moves the split line and paints nothing', async () => {
    const page = get();
    await page.getByRole('tab', { name: 'Sessions' }).click();
    await page.getByTestId('import-session').setInputFiles({
      name: 'pair.kontext',
      mimeType: 'application/octet-stream',
      buffer: makeTreeSession(
        'Pair',
        [
          { id: 'root', parent: null, instruction: '', tint: [40, 90, 200] },
          { id: 't1', parent: 'root', instruction: 'make the square red', tint: [220, 40, 40] },
        ],
        't1',
      ),
    });
    await expect(page.getByTestId('turn')).toHaveCount(2);
    await page.getByTestId('editor-canvas').focus();
    await page.keyboard.press('c');
    await expect(page.getByTestId('compare-slider')).toBeVisible();
    await expect.poll(async () => (await getView(page)).path).toBe('root.compare.idle');
    await expect(page.getByTestId('editor-canvas')).toHaveCSS('cursor', 'ew-resize');
    const split = page.getByLabel('Before/after split');
    await expect(split).toHaveValue('500');

    // Press at a quarter of the image's width, drag to three quarters: the line follows, the mask stays empty.
    const from = await imagePointToScreen(page, 24, 32),
      to = await imagePointToScreen(page, 72, 40);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await expect(split).toHaveValue('250');
    await expect.poll(async () => (await getView(page)).path).toBe('root.compare.dragging');
    await page.mouse.move(to.x, to.y, { steps: 8 });
    await page.mouse.up();
    await expect(split).toHaveValue('750');
    await saveScreenshot(page, test.info(), '21-compare-drag');
    expect(await maskCoverage(page)).toBe(0);
    expect((await getView(page)).path).toBe('root.compare.idle');

    // Leaving compare gives the pointer back to the brush.
    await page.keyboard.press('c');
    await expect(page.getByTestId('compare-slider')).toBeHidden();
    await paintStroke(page, [10, 32], [40, 32]);
    expect(await maskCoverage(page)).toBeGreaterThan(0);
  });

  test('the brush starts strokes only on the image; Ctrl+Z takes back the last visible stroke', async () => {
    const page = get();
    await openImage(page, 'street.png', photoPng(200, 120));
    await page.getByLabel('Brush size (image pixels)').fill('30');
    await paintStroke(page, [30, 60], [170, 60]);
    const painted = await maskCoverage(page);
    expect(painted).toBeGreaterThan(5);

    // A click in the dark margin left of the image: no stroke, and nothing for Ctrl+Z to take back silently.
    const view = await getView(page);
    expect(view.panX).toBeGreaterThan(20);
    const box = (await page.getByTestId('editor-canvas').boundingBox())!;
    await page.mouse.click(box.x + view.panX / 2, box.y + box.height / 2);
    await page.mouse.move(box.x + view.panX / 2 + 4, box.y + box.height / 2 + 4);
    expect((await getView(page)).path).toBe('root.brush.idle');
    expect(await maskCoverage(page)).toBe(painted);
    await page.keyboard.press('Control+z');
    expect(await maskCoverage(page)).toBe(0); // the painted stroke, the one the user saw
    await page.keyboard.press('Control+Shift+z');
    expect(await maskCoverage(page)).toBe(painted);

    // A stroke that starts on the image may run off it.
    const edge = await imagePointToScreen(page, 190, 20);
    await page.mouse.move(edge.x, edge.y);
    await page.mouse.down();
    await page.mouse.move(edge.x + 200, edge.y, { steps: 5 });
    await page.mouse.up();
    expect(await maskCoverage(page)).toBeGreaterThan(painted);
  });
});
