import { expect, test } from '@playwright/test';
import {
  getView,
  imagePointToScreen,
  maskCoverage,
  dropFiles,
  openEditor,
  openImage,
  paintStroke,
  pasteFiles,
  saveScreenshot,
} from './editor/app';
import { BAD_FILES, photoPng } from './editor/images';
import { useSharedPage } from './sharedPage';

test.use({ viewport: { width: 1440, height: 900 } });

/** The gallery offers only edits kontext-micro passes (src/lib/samples.ts): today background changes. */
const FIRST_CHIP = 'make the background yellow';

test('an image pasted on the page (nothing open) starts a session', async ({ page }) => {
  await openEditor(page);
  await pasteFiles(page, [{ name: 'clip.png', mimeType: 'image/png', buffer: photoPng(80, 60) }], 'body');
  await expect(page.getByTestId('turn')).toHaveCount(1);
  await expect(page.getByTestId('session-name')).toHaveValue('clip');
});

// One boot for the tests below (e2e/sharedPage.ts): 6 boots fewer than one page each. First the first-run
// gallery (nothing is open yet), then tests that each open their own image; the toasts test leaves an error, so last.
test.describe.serial('one page', () => {
  const get = useSharedPage(openEditor);

  test('first run: the gallery opens a sample with a suggested instruction; Open starts a session with none', async () => {
    const page = get();
    await expect(page.getByTestId('sample')).toHaveCount(4);
    await expect(page.getByText('It will not edit real photos')).toBeVisible();
    await saveScreenshot(page, test.info(), '01-first-run-gallery');
    const chooser = page.waitForEvent('filechooser'); // early: see editorModels.spec.ts on the interception race
    // The first sample's first chip (the same instruction is offered under other samples too).
    await page.getByRole('button', { name: FIRST_CHIP }).first().click();
    await expect(page.getByTestId('turn')).toHaveCount(1);
    await expect(page.getByLabel('Instruction', { exact: true })).toHaveValue(FIRST_CHIP);
    await expect(page.getByTestId('session-name')).toHaveValue('Circle, star and square');
    // The top bar's Open starts a new session, with an empty instruction.
    await expect(page.getByTestId('prompt-input')).toHaveValue(FIRST_CHIP);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await (await chooser).setFiles({ name: 'street.png', mimeType: 'image/png', buffer: photoPng(120, 80) });
    await expect(page.getByTestId('session-name')).toHaveValue('street');
    await expect(page.getByTestId('prompt-input')).toHaveValue('');
  });

  test('zoom with buttons, keys and the wheel; pan with Space-drag', async () => {
    const page = get();
    await openImage(page, 'street.png', photoPng(200, 120));
    const fit = await getView(page);
    expect(fit.zoom).toBeGreaterThan(1);
    await page.getByRole('button', { name: 'Zoom to 100% (1)' }).click();
    expect((await getView(page)).zoom).toBe(1);
    await expect(page.getByTestId('zoom-value')).toHaveText('100%');
    await page.getByRole('button', { name: 'Zoom in (+)' }).click();
    expect((await getView(page)).zoom).toBe(1.5);
    await page.getByTestId('editor-canvas').focus();
    await page.keyboard.press('-');
    expect((await getView(page)).zoom).toBe(1);
    await page.keyboard.press('0');
    expect((await getView(page)).zoom).toBeCloseTo(fit.zoom, 3);

    // Wheel zoom keeps the image point under the pointer in place.
    const p = await imagePointToScreen(page, 50, 40);
    await page.mouse.move(p.x, p.y);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => (await getView(page)).zoom).toBeGreaterThan(fit.zoom);
    const after = await imagePointToScreen(page, 50, 40);
    expect(Math.abs(after.x - p.x)).toBeLessThan(2);

    // Space + drag pans and paints nothing.
    const before = await getView(page);
    await page.keyboard.down(' ');
    await expect.poll(async () => (await getView(page)).path).toBe('root.pan.ready');
    await page.mouse.down();
    await page.mouse.move(p.x + 80, p.y + 30, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.up(' ');
    const panned = await getView(page);
    expect(panned.panX - before.panX).toBe(80);
    expect(panned.panY - before.panY).toBe(30);
    expect(panned.path).toBe('root.brush.idle');
    expect(await maskCoverage(page)).toBe(0);
  });

  test('mask: brush, eraser, size keys, feather, invert, clear, overlay', async () => {
    const page = get();
    await openImage(page, 'street.png', photoPng(200, 120));
    await page.getByTestId('editor-canvas').focus();
    const size = async () => parseInt((await page.getByTestId('brush-size').textContent())!, 10);
    const initial = await size();
    await page.keyboard.press(']');
    expect(await size()).toBeGreaterThan(initial);
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    expect(await size()).toBeLessThan(initial);
    await page.getByLabel('Brush size (image pixels)').fill('30');
    expect(await size()).toBe(30);

    await paintStroke(page, [30, 60], [170, 60]);
    const painted = await maskCoverage(page);
    expect(painted).toBeGreaterThan(10);
    expect(painted).toBeLessThan(30);
    await saveScreenshot(page, test.info(), '02-mask-painted');

    await page.keyboard.press('e');
    await expect(page.getByRole('radio', { name: 'Mask eraser (E)' })).toHaveAttribute('aria-checked', 'true');
    await paintStroke(page, [30, 60], [90, 60]);
    const erased = await maskCoverage(page);
    expect(erased).toBeLessThan(painted);
    expect(erased).toBeGreaterThan(0);
    // Ctrl+Z takes the last stroke back before it would walk the turns; Ctrl+Shift+Z puts it back.
    await page.keyboard.press('Control+z');
    expect(await maskCoverage(page)).toBe(painted);
    await page.keyboard.press('Control+Shift+z');
    expect(await maskCoverage(page)).toBe(erased);

    await page.getByRole('button', { name: 'Invert' }).click();
    expect(await maskCoverage(page)).toBeCloseTo(100 - erased, 0);
    await page.getByRole('button', { name: 'Hide mask overlay' }).click();
    await expect(page.getByRole('button', { name: 'Show mask overlay' })).toBeVisible();
    await page.keyboard.press('m');
    await expect(page.getByRole('button', { name: 'Hide mask overlay' })).toBeVisible();
    await page.getByRole('button', { name: 'Clear' }).click();
    expect(await maskCoverage(page)).toBe(0);

    // Escape in the middle of a stroke takes the stroke back.
    await page.keyboard.press('b');
    const a = await imagePointToScreen(page, 20, 20),
      b = await imagePointToScreen(page, 150, 90);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 6 });
    expect(await maskCoverage(page)).toBeGreaterThan(0);
    await page.keyboard.press('Escape');
    await page.mouse.up();
    expect(await maskCoverage(page)).toBe(0);
  });

  test('references: add, paste, reorder and remove; thumbnails show their model index', async () => {
    const page = get();
    await openImage(page, 'street.png', photoPng(200, 120));
    await page.getByTestId('reference-files').setInputFiles([
      { name: 'a.png', mimeType: 'image/png', buffer: photoPng(40, 40, [255, 0, 0]) },
      { name: 'b.png', mimeType: 'image/png', buffer: photoPng(50, 40, [0, 255, 0]) },
    ]);
    await pasteFiles(
      page,
      [{ name: 'c.png', mimeType: 'image/png', buffer: photoPng(60, 40, [0, 0, 255]) }],
      '[data-testid="reference-panel"]',
    );
    const items = page.getByTestId('reference-item');
    await expect(items).toHaveCount(3);
    await expect(page.getByRole('img', { name: /^Reference \d/ })).toHaveText(['', '', '']);
    const labels = async () =>
      page
        .getByRole('img', { name: /^Reference \d/ })
        .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(await labels()).toEqual(['Reference 2, 40×40', 'Reference 3, 50×40', 'Reference 4, 60×40']);
    await expect(items.locator('.ref-index')).toHaveText(['2', '3', '4']);
    await page.getByRole('button', { name: 'Move reference 4 up' }).click();
    expect(await labels()).toEqual(['Reference 2, 40×40', 'Reference 3, 60×40', 'Reference 4, 50×40']);
    await saveScreenshot(page, test.info(), '03-references');
    await page.getByRole('button', { name: 'Remove reference 2' }).click();
    expect(await labels()).toEqual(['Reference 2, 60×40', 'Reference 3, 50×40']);
  });

  test('shortcut help opens with ? and closes with Escape; controls are labelled', async () => {
    const page = get();
    await openImage(page, 'street.png', photoPng(200, 120));
    await page.getByTestId('editor-canvas').focus();
    await page.keyboard.press('Shift+?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(help).toBeVisible();
    await expect(help).toContainText('Generate');
    await expect(help).toContainText('Space+drag');
    await saveScreenshot(page, test.info(), '04-shortcuts');
    await page.keyboard.press('Escape');
    await expect(help).toBeHidden();
    // Every button and field has an accessible name.
    const unnamed = await page
      .locator('button, input:not([hidden]), select')
      .evaluateAll((els) =>
        els
          .filter(
            (e) =>
              !(e as HTMLElement).hidden &&
              !(e.getAttribute('aria-label') || e.textContent?.trim() || (e as HTMLInputElement).labels?.length),
          )
          .map((e) => e.outerHTML.slice(0, 80)),
      );
    expect(unnamed).toEqual([]);
  });

  test('messages are toasts over the page: several stack, info fades, errors stay until dismissed', async () => {
    const page = get();
    await openImage(page, 'street.png', photoPng(120, 80));
    const workspace = await page.locator('.workspace').boundingBox();
    await dropFiles(page, [BAD_FILES.textAsPng, BAD_FILES.tiny]);
    await expect(page.getByRole('alert')).toHaveCount(2); // one per bad file, not the last one only
    await expect(page.getByRole('alert').first()).toHaveClass(/toast-error/);
    expect(await page.locator('.workspace').boundingBox()).toEqual(workspace); // nothing was pushed down

    const two = [1, 2].map((i) => ({ name: `ref${i}.png`, mimeType: 'image/png', buffer: photoPng(40, 40) }));
    await dropFiles(page, two);
    const info = page.getByRole('status').filter({ hasText: 'Added 2 references.' });
    await expect(info).toBeVisible();
    await expect(info).toHaveClass(/toast-info/);
    await expect(info).toBeHidden({ timeout: 15_000 }); // fades by itself
    await expect(page.getByRole('alert')).toHaveCount(2); // errors stay
    await page.getByRole('alert').first().getByRole('button', { name: 'Dismiss message' }).click();
    await expect(page.getByRole('alert')).toHaveCount(1);
  });
});

test.describe('a build that ships no model', () => {
  // No service worker: it would precache the embedded bundle behind the route's back.
  test.use({ serviceWorkers: 'block' });

  test('without a model, Generate says plainly what is missing', async ({ page }) => {
    // The embedded bundle's folder answers 404, as in a build without one; nothing else is stored in a fresh context.
    await page.context().route('**/bundles/kontext-micro/**', (route) => route.fulfill({ status: 404 }));
    await openEditor(page);
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-embedded-bundle', 'absent');
    await page.getByRole('button', { name: FIRST_CHIP }).first().click();
    await expect(page.getByTestId('generate-hint')).toContainText('No model is ready');
    await page.getByTestId('generate').click({ force: true }); // aria-disabled: the click explains instead of doing nothing
    await expect(page.getByRole('alert')).toContainText('No model is ready');
    await page.getByRole('button', { name: 'Dismiss message' }).click();
    await page.getByTestId('prompt-input').press('Control+Enter');
    await expect(page.getByTestId('turn')).toHaveCount(1);
  });
});
