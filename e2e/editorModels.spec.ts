import { expect, test } from '@playwright/test';
import { openEditor, saveScreenshot } from './editor/app';
import { useSharedPage } from './sharedPage';

test.use({ viewport: { width: 1440, height: 900 } });

// One boot for both (e2e/sharedPage.ts): each opens its own tab.
test.describe.serial('one page', () => {
  const get = useSharedPage(openEditor);

  test('models: capabilities first, bundles or a plain "none yet", URL and folder checks', async () => {
    const page = get();
    await page.getByRole('tab', { name: 'Models' }).click();
    await expect(page.getByTestId('capabilities')).toHaveAttribute('data-backend', /webgpu|wasm/);
    await expect(page.getByRole('heading', { name: 'Models' })).toBeVisible();
    const embedded = (await page.getByTestId('model-status').getAttribute('data-embedded-bundle')) === 'present';
    if (embedded) await expect(page.locator('[data-testid="bundle"]').first()).toContainText('built in');
    else await expect(page.getByTestId('no-bundles')).toBeVisible();
    await saveScreenshot(page, test.info(), '10-models');

    await page.getByLabel('Bundle URL').fill('ftp://example.invalid/bundle');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(page.getByRole('alert')).toContainText('is not a web address');

    // A folder without manifest.json is refused before the engine sees it (the <input webkitdirectory> path).
    await page.getByTestId('bundle-folder').evaluate((input: HTMLInputElement) => {
      const dt = new DataTransfer();
      const file = new File(['not a model'], 'notes.txt');
      Object.defineProperty(file, 'webkitRelativePath', { value: 'holiday/notes.txt' });
      dt.items.add(file);
      input.files = dt.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await expect(page.getByRole('alert').filter({ hasText: '“holiday” has no manifest.json' })).toBeVisible();
  });

  test('diagnostics keeps the autoencoder check reachable', async () => {
    const page = get();
    await page.getByRole('tab', { name: 'Diagnostics' }).click();
    await expect(page.getByRole('heading', { name: 'Autoencoder check' })).toBeVisible();
    await expect(page.getByTestId('run-roundtrip')).toBeDisabled();
    await saveScreenshot(page, test.info(), '11-diagnostics');

    // The file inputs are buttons like the others: the native input is out of sight but Tab reaches it, the button
    // shows the focus, and Space opens the picker.
    const encoder = page.getByTestId('encoder-files');
    expect((await encoder.boundingBox())!.width).toBeLessThanOrEqual(1);
    const button = page.locator('label.file-button', { has: encoder });
    await expect(button).toBeVisible();
    await expect(button).toContainText('Choose .onnx + weights…');
    // Listening turns on Chromium's file-chooser interception, which Playwright does without waiting: listen a few
    // round trips before the key press, or under load the picker can open before it is intercepted (and never report).
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('image-file').focus();
    await page.keyboard.press('Shift+Tab');
    await expect(page.getByTestId('decoder-files')).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(encoder).toBeFocused();
    expect(await button.evaluate((e) => getComputedStyle(e).outlineStyle)).toBe('solid');
    await page.keyboard.press('Space');
    await (
      await chooser
    ).setFiles([
      { name: 'enc.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('graph') },
      { name: 'enc.onnx.data', mimeType: 'application/octet-stream', buffer: Buffer.from('weights') },
    ]);
    await expect(page.getByTestId('encoder-name')).toHaveText('enc.onnx');
  });
});
