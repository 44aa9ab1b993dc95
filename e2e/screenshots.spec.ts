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

/** Shoots the current state at every size (a resize, not a reload: the layout must follow the window). */
async function shotAtEverySize(page: Page, testInfo: TestInfo, state: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await shot(page, testInfo, `${size.width}x${size.height}-${state}`);
  }
}

// One boot for all three sizes: each boot installs and warms the embedded model, which on two cores costs more than
// the shots themselves.
test('screenshots at 1440×900, 1280×720 and 800×800: start screen, a sample, a photo, a drawer', async ({
  page,
}, testInfo) => {
  await page.setViewportSize(SIZES[0]!);
  await openEditor(page);
  await shotAtEverySize(page, testInfo, '1-start');

  await page.getByRole('button', { name: 'Open sample: Circle, star and square' }).click();
  await expect(page.getByTestId('turn')).toHaveCount(1);
  await shotAtEverySize(page, testInfo, '2-sample');

  await openImage(page, 'meadow.png', photoLikePng(1200, 800));
  await expect(page.getByTestId('session-name')).toHaveValue('meadow');
  await shotAtEverySize(page, testInfo, '3-photo');

  // Below 1100 px the side panels are drawers: the narrow size also shows one open.
  const narrow = SIZES.find((size) => size.width < 1100)!;
  await page.setViewportSize(narrow);
  await page.getByTestId('drawer-toggle-left').click();
  await expect(page.getByRole('complementary', { name: 'Mask and references' })).toBeVisible();
  await page.waitForTimeout(300); // the slide-in
  await shot(page, testInfo, `${narrow.width}x${narrow.height}-4-drawer`);
});
