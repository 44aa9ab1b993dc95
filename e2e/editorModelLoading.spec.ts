/**
 * The first visit while the built-in model is still being stored (#14 item 2): the badge shows determinate
 * progress instead of 'No model ready', the sampler fields show the model's values from the first frame, and a
 * Generate pressed meanwhile waits for the model (cancellable) and then runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { EDIT_TIMEOUT } from './editor/engine';
import { REPO_ROOT } from './models';

const MANIFEST = join(REPO_ROOT, 'public/bundles/kontext-micro/manifest.json');

// No service worker: the install's downloads must meet the route below.
test.use({ serviceWorkers: 'block', viewport: { width: 1440, height: 900 } });

test('Generate before the model is ready waits for it with progress, and runs when it is', async ({ page }) => {
  test.setTimeout(2 * EDIT_TIMEOUT);
  test.skip(!existsSync(MANIFEST), 'this build ships no embedded bundle');
  const sampling = (JSON.parse(readFileSync(MANIFEST, 'utf8')) as { sampling: Record<string, number> }).sampling;

  // Hold the largest file (the DiT's weights) until the test lets it through: the model stays 'loading'.
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  await page.context().route('**/bundles/kontext-micro/dit.onnx.data', async (route) => {
    await released;
    await route.continue();
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Kontext Studio' })).toBeVisible();
  const badge = page.getByTestId('model-status');
  await expect(badge).toContainText(/Loading model… \d+ %/);
  await expect(badge).not.toContainText('No model ready');
  await expect(badge.locator('progress')).toBeVisible();

  await page.getByRole('button', { name: 'Open sample: Circle, star and square' }).click();
  // The sampler fields show the model's own values while it is still loading, not generic ones that jump on install.
  await expect(badge).toContainText(/Loading model/);
  await expect(page.getByLabel('Steps')).toHaveValue(String(sampling.default_steps));
  await expect(page.getByLabel('Average of runs')).toHaveValue(String(sampling.default_average ?? 1));
  await page.getByTestId('prompt-input').fill('remove the star');
  await page.getByTestId('generate').click();
  const waiting = page.getByTestId('waiting');
  await expect(waiting).toContainText(/Waiting for the model… \d+ %/);
  await expect(page.getByRole('alert')).toHaveCount(0); // no red 'Looking for models…'
  // Cancel is possible while it waits…
  await waiting.click();
  await expect(page.getByTestId('generate')).toBeVisible();
  // …and a second Generate waits again, then runs as soon as the model is stored.
  await page.getByTestId('generate').click();
  await expect(waiting).toBeVisible();
  release();
  await expect(page.getByTestId('turn')).toHaveCount(2, { timeout: EDIT_TIMEOUT });
  await expect(badge).toContainText('kontext-micro');
  await expect(page.getByLabel('Steps')).toHaveValue(String(sampling.default_steps));
});
