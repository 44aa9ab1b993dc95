import { expect, test, type Page } from '@playwright/test';
import { dropFiles, exportCurrentSession, getView, openEditor, openImage, saveScreenshot } from './editor/app';
import { BAD_FILES, hugePng, photoPng } from './editor/images';
import { readSessionFile } from './editor/sessionFiles';
import { useSharedPage } from './sharedPage';

test.use({ viewport: { width: 1440, height: 900 } });

const BAD = [
  { file: BAD_FILES.textAsPng, message: '"holiday.png" could not be decoded as an image' },
  { file: BAD_FILES.empty, message: '"empty.png" is empty (0 bytes)' },
  { file: BAD_FILES.tiny, message: '"dot.png" is 1×1; images must be at least 8×8' },
  {
    file: BAD_FILES.svg,
    message: '"logo.svg" is an SVG drawing. Kontext Studio edits pixel images: export it as PNG first.',
  },
];

/** Everything that identifies the open session: its exported file's tree and pixels, and the view. */
async function sessionState(page: Page) {
  const file = readSessionFile(await exportCurrentSession(page));
  return {
    tree: file.header.tree,
    refs: file.header.draft.references,
    root: file.pixels(file.header.tree.nodes[file.header.tree.rootId]!.image.id).data.toString('base64'),
    zoom: (await getView(page)).zoom,
  };
}

// One boot for the three tests (e2e/sharedPage.ts), each on an image it opens; the downscale test runs last: it
// leaves an 8192-px session and an info toast.
test.describe.serial('one page', () => {
  const get = useSharedPage(openEditor);

  test('bad files (text as .png, 0 bytes, 1×1, SVG) get a clear message and leave the session unchanged', async () => {
    const page = get();
    await openImage(page, 'street.png', photoPng(120, 80));
    const before = await sessionState(page);
    for (const [i, { file, message }] of BAD.entries()) {
      // Through the Open button, and dropped on the canvas.
      const alert = page.getByRole('alert').filter({ hasText: message });
      await page.getByTestId('open-image').setInputFiles(file);
      await expect(alert).toBeVisible();
      await alert.getByRole('button', { name: 'Dismiss message' }).click();
      await dropFiles(page, [file], '[data-testid="editor-canvas"]');
      await expect(alert).toBeVisible();
      if (i === 2) await saveScreenshot(page, test.info(), '09-bad-file');
      // …and as a reference: the same message again is one toast, not two.
      await page.getByTestId('reference-files').setInputFiles(file);
      await expect(alert).toHaveCount(1);
      await expect(page.getByTestId('reference-item')).toHaveCount(0);
      await alert.getByRole('button', { name: 'Dismiss message' }).click(); // errors stay until dismissed
    }
    await expect(page.getByTestId('turn')).toHaveCount(1);
    await expect(page.getByTestId('session-name')).toHaveValue('street');
    expect(await sessionState(page)).toEqual(before);
  });

  test('a good image dropped on an open session asks whether it is a reference or a new session', async () => {
    const page = get();
    await openImage(page, 'street.png', photoPng(120, 80));
    await dropFiles(
      page,
      [{ name: 'style.png', mimeType: 'image/png', buffer: photoPng(40, 40, [250, 0, 0]) }],
      '[data-testid="editor-canvas"]',
    );
    const dialog = page.getByRole('dialog', { name: /Use “style.png” as/ });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'A reference for the next edit' }).click();
    await expect(page.getByTestId('reference-item')).toHaveCount(1);
    await expect(page.getByTestId('session-name')).toHaveValue('street');
    await dropFiles(page, [{ name: 'next.png', mimeType: 'image/png', buffer: photoPng(50, 50) }]);
    await page.getByRole('dialog').getByRole('button', { name: 'A new session (edit this image)' }).click();
    await expect(page.getByTestId('session-name')).toHaveValue('next');
    await expect(page.getByTestId('reference-item')).toHaveCount(0);
  });

  test('an image over 8192 px a side is offered a downscale: Cancel changes nothing, Downscale opens it smaller', async () => {
    const page = get();
    await openImage(page, 'street.png', photoPng(120, 80));
    const before = await sessionState(page);
    const huge = { name: 'huge.png', mimeType: 'image/png', buffer: hugePng() };
    const offer = page.getByRole('dialog', { name: '“huge.png” is too large' });
    // Through Open, a drop and the References panel: each asks first, nothing is decoded, and Cancel (the button or
    // Escape) leaves everything as it was.
    await page.getByTestId('open-image').setInputFiles(huge);
    await expect(offer).toContainText(
      'This image is 16000×16000; the largest side this editor takes is 8192. Downscale to 8192×8192?',
    );
    await expect(offer.getByRole('button', { name: 'Downscale' })).toBeFocused();
    await saveScreenshot(page, test.info(), '09-downscale-offer');
    await offer.getByRole('button', { name: 'Cancel' }).click();
    await expect(offer).toBeHidden();
    await dropFiles(page, [huge], '[data-testid="editor-canvas"]');
    await expect(offer).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(offer).toBeHidden();
    await page.getByTestId('reference-files').setInputFiles(huge);
    await offer.getByRole('button', { name: 'Cancel' }).click();
    await expect(offer).toBeHidden();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.getByTestId('reference-item')).toHaveCount(0);
    expect(await sessionState(page)).toEqual(before);

    // Downscale: the browser decodes it straight to the smaller size, aspect ratio kept (8400×300 → 8192×293).
    const panorama = { name: 'panorama.png', mimeType: 'image/png', buffer: photoPng(8400, 300) };
    await page.getByTestId('open-image').setInputFiles(panorama);
    const wide = page.getByRole('dialog', { name: '“panorama.png” is too large' });
    await expect(wide).toContainText(
      'This image is 8400×300; the largest side this editor takes is 8192. Downscale to 8192×293?',
    );
    await wide.getByRole('button', { name: 'Downscale' }).click();
    // First, while it shows: an info toast leaves after 6 s, which the checks below can outlast on a loaded machine.
    await expect(page.getByRole('status').filter({ hasText: 'downscaled from 8400×300 to 8192×293' })).toBeVisible();
    await expect(page.getByTestId('session-name')).toHaveValue('panorama');
    await expect(page.getByTestId('editor-canvas')).toHaveAttribute('aria-label', /^Image 8192×293/);
    const file = readSessionFile(await exportCurrentSession(page));
    const pixels = file.pixels(file.header.tree.nodes[file.header.tree.rootId]!.image.id);
    expect([pixels.width, pixels.height]).toEqual([8192, 293]);
  });
});
