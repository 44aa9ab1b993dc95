import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { box, FIXTURES } from './models';
import { useSharedPage } from './sharedPage';
import { chooseModels, dropFile, openStudio, runRoundTrip } from './studio';

const image = join(FIXTURES, 'roundtrip-128.png');

// One boot for the three (e2e/sharedPage.ts), as a user who keeps going in the same tab: each test ends with a
// round trip that works and no error left on screen.
test.describe.serial('bad input gets a clear message and the worker stays usable', () => {
  const get = useSharedPage((page) => openStudio(page, 'wasm'));

  test('a model file that is not ONNX', async () => {
    const page = get();
    await page.getByTestId('image-file').setInputFiles(image);
    await page.getByTestId('encoder-files').setInputFiles({
      name: 'bogus.onnx',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('this is not a model\n'),
    });
    await page.getByTestId('decoder-files').setInputFiles(box.decoder);
    await page.getByTestId('run-roundtrip').click();
    await expect(page.getByRole('alert')).toContainText('bogus.onnx is not an ONNX model');

    await page.getByTestId('encoder-files').setInputFiles(box.encoder);
    expect(await runRoundTrip(page, 'wasm')).toBeGreaterThan(10);
    await expect(page.getByRole('alert')).toHaveCount(0);
  });

  test('a missing external-data file', async () => {
    const page = get();
    await page.getByTestId('image-file').setInputFiles(image);
    await expect(page.getByTestId('roundtrip-result')).toHaveCount(0); // the new image drops the last result
    await chooseModels(page, box.encoder, [box.decoder[0]!]); // the decoder's .onnx.data left out
    await page.getByTestId('run-roundtrip').click();
    await expect(page.getByRole('alert')).toContainText(
      'box_decoder.onnx needs its weights file "box_decoder.onnx.data"',
    );

    await page.getByTestId('decoder-files').setInputFiles(box.decoder);
    expect(await runRoundTrip(page, 'wasm')).toBeGreaterThan(10);
    await expect(page.getByRole('alert')).toHaveCount(0);
  });

  test('a non-image dropped on the page leaves the open image alone', async () => {
    const page = get();
    await page.getByTestId('image-file').setInputFiles(image);
    await expect(page.getByTestId('roundtrip-result')).toHaveCount(0); // the new image drops the last result
    await expect(page.getByTestId('input-image')).toBeVisible();
    await dropFile(page, 'notes.txt', 'text/plain', 'shopping list: eggs, milk');
    await expect(page.getByRole('alert')).toContainText('"notes.txt" is not an image');
    await expect(page.getByLabel('Input image roundtrip-128.png')).toBeVisible();

    await dropFile(page, 'photo.png', 'image/png', 'PNG? no, just text');
    // Both errors stay on screen, each as its own toast, until dismissed.
    await expect(page.getByRole('alert').filter({ hasText: '"photo.png" could not be decoded' })).toBeVisible();
    await expect(page.getByRole('alert')).toHaveCount(2);

    await chooseModels(page, box.encoder, box.decoder);
    expect(await runRoundTrip(page, 'wasm')).toBeGreaterThan(10);
  });
});
