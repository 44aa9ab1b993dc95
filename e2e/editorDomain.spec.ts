import { expect, test } from '@playwright/test';
import { openEditorWithModel, openImage, saveScreenshot } from './editor/app';
import { rawPng } from './editor/images';
import { photoLikePng } from './editor/photo';

test.use({ viewport: { width: 1440, height: 900 } });

/** A drawing like kontext-micro's own: a flat background with a flat square (what its manifest domain allows). */
function drawingPng(size = 96): Buffer {
  return rawPng(size, size, 2, (y) => {
    const row = Buffer.alloc(size * 3);
    for (let x = 0; x < size; x++) {
      const inSquare = x > size / 3 && x < (2 * size) / 3 && y > size / 3 && y < (2 * size) / 3;
      row.set(inSquare ? [220, 40, 40] : [250, 220, 40], x * 3);
    }
    return row;
  });
}

test('a photo with kontext-micro active: a lasting note in the prompt bar offers the full model', async ({
  page,
}, testInfo) => {
  await openEditorWithModel(page);
  const note = page.getByTestId('domain-note');
  // A sample from the gallery is what the model was made for: no note.
  await page.getByTestId('sample').first().getByRole('button').first().click();
  await expect(page.getByTestId('turn')).toHaveCount(1);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-embedded-bundle', 'present');
  await expect(page.getByTestId('prompt-input')).toBeVisible();
  await expect(note).toHaveCount(0);

  // A photograph is not: the note says so inside the prompt bar (not a toast, not a dialog) and stays.
  await page.getByTestId('open-image').setInputFiles({
    name: 'lake.png',
    mimeType: 'image/png',
    buffer: photoLikePng(640, 480),
  });
  await expect(page.getByTestId('session-name')).toHaveValue('lake');
  await expect(note).toBeVisible();
  await expect(note).toContainText('kontext-micro is made for simple drawings, 64×64; this image is not one');
  await expect(page.getByRole('region', { name: 'Prompt' }).getByTestId('domain-note')).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await saveScreenshot(page, testInfo, 'domain-note-photo');
  await page.getByTestId('prompt-input').fill('make the sky pink'); // typing and waiting do not dismiss it
  await page.waitForTimeout(1500);
  await expect(note).toBeVisible();

  // Its link opens the Models view, where FLUX.1 Kontext is added.
  await page.getByTestId('add-full-model').click();
  await expect(page.getByRole('tab', { name: 'Models' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('heading', { name: 'Add a bundle' })).toBeVisible();
  await page.getByRole('tab', { name: 'Editor' }).click();
  await expect(note).toBeVisible();

  // A drawing opened afterwards fits again: the note goes.
  await openImage(page, 'square.png', drawingPng());
  await expect(page.getByTestId('session-name')).toHaveValue('square');
  await expect(note).toHaveCount(0);
});
