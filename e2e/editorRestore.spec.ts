/**
 * Restoring the last session after a reload (issue #14 item 4, #16): no start screen flashes before it, a tab
 * picked while it loads stays picked, and an image the user opens meanwhile wins over it. The restore normally takes
 * a moment; these tests hold it (the stored PNGs' reads wait) so what happens "during" it is not left to timing.
 */
import { expect, test, type Page } from '@playwright/test';
import { openEditor, openImage, saveScreenshot, waitForSave } from './editor/app';
import { photoPng } from './editor/images';

test.use({ viewport: { width: 1440, height: 900 } });

declare global {
  interface Window {
    __releaseRestore?: () => void;
    __startScreenSeen?: boolean;
  }
}

/**
 * On the next load only: reads of stored PNG Blobs (what a restore decodes) wait for `__releaseRestore()`, and
 * `__startScreenSeen` records whether the sample gallery was ever on screen. Files the user opens are not held.
 */
async function holdNextRestore(page: Page): Promise<void> {
  await page.addInitScript(() => {
    if (!sessionStorage.getItem('hold-restore')) return;
    sessionStorage.removeItem('hold-restore');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    window.__releaseRestore = release;
    const read = Blob.prototype.arrayBuffer;
    Blob.prototype.arrayBuffer = function (this: Blob) {
      const stored = !(this instanceof File) && this.type === 'image/png';
      return stored ? held.then(() => read.call(this)) : read.call(this);
    };
    window.__startScreenSeen = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="sample-gallery"]')) window.__startScreenSeen = true;
    }).observe(document, { childList: true, subtree: true });
  });
  await page.evaluate(() => sessionStorage.setItem('hold-restore', '1'));
}

async function savedSession(page: Page, name: string): Promise<void> {
  await openEditor(page);
  await openImage(page, `${name}.png`, photoPng(160, 100));
  await waitForSave(page, 1);
}

test('after a reload the canvas says it is restoring (no start screen), and a tab picked meanwhile stays', async ({
  page,
}, testInfo) => {
  await savedSession(page, 'street');
  await holdNextRestore(page);
  await page.reload();
  const restoring = page.getByTestId('restoring');
  await expect(restoring).toHaveText('Restoring “street”…');
  await expect(page.getByTestId('sample-gallery')).toHaveCount(0);
  await saveScreenshot(page, testInfo, '22-restoring');

  // The click that used to be lost: Sessions, picked while the session loads.
  await page.getByRole('tab', { name: 'Sessions' }).click();
  await page.evaluate(() => window.__releaseRestore!());
  await expect(page.locator('[data-testid="session"].current')).toContainText('street');
  await expect(page.getByRole('tab', { name: 'Sessions' })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('tab', { name: 'Editor' }).click();
  await expect(page.getByTestId('turn')).toHaveCount(1);
  await expect(page.getByTestId('session-name')).toHaveValue('street');
  expect(await page.evaluate(() => window.__startScreenSeen)).toBe(false);
});

test('an image opened while the last session restores wins over it, and is the one restored next time', async ({
  page,
}) => {
  await savedSession(page, 'street');
  await holdNextRestore(page);
  await page.reload();
  await expect(page.getByTestId('restoring')).toBeVisible();
  await page
    .getByTestId('open-image')
    .setInputFiles({ name: 'sample.png', mimeType: 'image/png', buffer: photoPng(64, 64, [220, 40, 40]) });
  await expect(page.getByTestId('session-name')).toHaveValue('sample');
  await page.evaluate(() => window.__releaseRestore!());
  // Boot is done once it has looked for the model; the restore it dropped must not have taken over.
  await expect(page.getByTestId('model-status')).not.toHaveAttribute('data-embedded-bundle', 'unknown');
  await expect(page.getByTestId('session-name')).toHaveValue('sample');
  await expect(page.getByTestId('turn')).toHaveCount(1);

  await waitForSave(page);
  await page.reload();
  await expect(page.getByTestId('session-name')).toHaveValue('sample');
  await page.getByRole('tab', { name: 'Sessions' }).click();
  await expect(page.getByTestId('session')).toHaveCount(2); // both kept
});
