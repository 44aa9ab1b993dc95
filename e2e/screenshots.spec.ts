/**
 * @file Screenshots for review at three window sizes, attached to the Playwright report (and copied to
 * E2E_SHOTS_DIR, /tmp/shots unless set): the start screen, a sample, and a photo-like 1200×800 picture; on the
 * narrow size also an open drawer. Each state also has to pass the layout checks, so a screenshot that looks
 * wrong in the ways the layout issue listed fails the spec instead of waiting for someone to notice.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { openEditor, openImage } from './editor/app';
import { layoutProblems } from './editor/layout';
import { photoLikePng } from './editor/photo';

const SHOTS_DIR = process.env.E2E_SHOTS_DIR ?? join(tmpdir(), 'shots');
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
  { width: 800, height: 800 },
];

/** Waits for two frames, checks the layout, and attaches a screenshot named `name` (and copies it to SHOTS_DIR). */
async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  expect({ name, problems: await layoutProblems(page) }).toEqual({ name, problems: [] });
  const body = await page.screenshot();
  await testInfo.attach(name, { body, contentType: 'image/png' });
  mkdirSync(SHOTS_DIR, { recursive: true });
  writeFileSync(join(SHOTS_DIR, `${name}.png`), body);
}

for (const size of SIZES) {
  const tag = `${size.width}x${size.height}`;
  test(`screenshots at ${size.width}×${size.height}: start screen, a sample, a photo`, async ({ page }, testInfo) => {
    await page.setViewportSize(size);
    await openEditor(page);
    await shot(page, testInfo, `${tag}-1-start`);

    await page.getByRole('button', { name: 'Open sample: Circle, star and square' }).click();
    await expect(page.getByTestId('turn')).toHaveCount(1);
    await shot(page, testInfo, `${tag}-2-sample`);

    await openImage(page, 'meadow.png', photoLikePng(1200, 800));
    await expect(page.getByTestId('session-name')).toHaveValue('meadow');
    await shot(page, testInfo, `${tag}-3-photo`);

    if (await page.getByTestId('drawer-toggle-left').isVisible()) {
      await page.getByTestId('drawer-toggle-left').click();
      await expect(page.getByRole('complementary', { name: 'Mask and references' })).toBeVisible();
      await page.waitForTimeout(300); // the slide-in
      await shot(page, testInfo, `${tag}-4-drawer`);
    }
  });
}
