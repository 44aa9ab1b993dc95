import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { convertBundle } from '../tools/convert/bundle/convertBundle';
import { hashFile } from '../tools/convert/node/nodeFiles';
import { makeTempDir } from '../tools/convert/testing';
import { TINY_BUNDLE_OVERRIDES, TINY_MODEL_DIR } from '../tools/testing/tinyBundle';
import { openEditor } from './editor/app';
import { REPO_ROOT } from './models';

const LORA_DIR = join(REPO_ROOT, 'training/fixtures/tiny/lora');
const temp = makeTempDir('e2e-lora');
let bundleDir: string;

test.beforeAll(async () => {
  bundleDir = join(temp.dir, 'tiny-with-loras');
  await convertBundle(TINY_MODEL_DIR, bundleDir, {
    weights: 'fp32',
    segments: 1,
    t5MaxLength: 16,
    overrides: TINY_BUNDLE_OVERRIDES,
    loras: [
      { path: join(LORA_DIR, 'lora_kohya.safetensors'), strength: 0.75 },
      { path: join(LORA_DIR, 'lora2_kohya.safetensors'), strength: -1.5 },
    ],
  });
});
test.afterAll(() => temp.cleanup());

test('the model manager lists the LoRAs merged into a bundle, with strengths and hashes', async ({ page }) => {
  await openEditor(page);
  await page.getByRole('tab', { name: 'Models' }).click();
  await page.getByTestId('bundle-folder').setInputFiles(bundleDir);
  const card = page.locator('[data-testid="bundle"][data-bundle-id^="tiny-random-lora-"]');
  await expect(card.getByTestId('bundle-loras')).toContainText('LoRAs merged');
  await expect(card.getByTestId('bundle-lora')).toHaveText(['lora_kohya × 0.75', 'lora2_kohya × -1.5']);
  await expect(card.getByTestId('bundle-lora').first()).toHaveAttribute(
    'title',
    `sha-256 ${await hashFile(join(LORA_DIR, 'lora_kohya.safetensors'))}`,
  );
  // A bundle without LoRAs shows no such line.
  const others = page.locator('[data-testid="bundle"]:not([data-bundle-id^="tiny-random-lora-"])');
  for (const other of await others.all()) await expect(other.getByTestId('bundle-loras')).toHaveCount(0);
});
