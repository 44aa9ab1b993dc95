import { expect, test } from '@playwright/test';
import { openEditor, openImage, saveScreenshot } from './editor/app';
import { photoPng } from './editor/images';
import { layoutProblems } from './editor/layout';
import { useSharedPage } from './sharedPage';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
  { width: 1100, height: 700 },
  { width: 900, height: 700 },
  { width: 768, height: 700 },
];

// One boot for both (e2e/sharedPage.ts): each sets its own viewport and opens its own image.
test.describe.serial('one page', () => {
  const get = useSharedPage(openEditor, SIZES[0]);

  test('the layout holds from 768 px wide up: nothing leaves its bar, the title is one line, the zoom covers nothing', async () => {
    const page = get();
    await page.setViewportSize(SIZES[0]!);
    await openImage(page, 'street.png', photoPng(1200, 800));
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      expect({ size, problems: await layoutProblems(page) }).toEqual({ size, problems: [] });
      // Below 1100 px the side panels are drawers behind two toggles; from there up they are columns.
      const narrow = size.width < 1100;
      await expect(page.getByTestId('drawer-toggle-left')).toBeVisible({ visible: narrow });
      await expect(page.getByRole('complementary', { name: 'Mask and references' })).toBeVisible({ visible: !narrow });
      await expect(page.getByRole('button', { name: 'Open', exact: true })).toBeVisible();
    }
  });

  test('below 1100 px the side panels are drawers: a toggle opens one, focus goes in, Escape closes it and focus returns', async () => {
    const page = get();
    await page.setViewportSize({ width: 900, height: 700 });
    await openImage(page, 'street.png', photoPng(120, 80));
    const masks = page.getByRole('complementary', { name: 'Mask and references' });
    const history = page.getByRole('complementary', { name: 'History' });
    const left = page.getByTestId('drawer-toggle-left');
    await expect(masks).toBeHidden();
    await expect(left).toHaveAttribute('aria-expanded', 'false');

    await left.click();
    await expect(masks).toBeVisible();
    await expect(left).toHaveAttribute('aria-expanded', 'true');
    await expect(page.locator('#left-panel')).toBeFocused();
    expect(await layoutProblems(page)).toEqual([]); // the tool labels (Brush, Eraser, Pan) fit
    await saveScreenshot(page, test.info(), '20-drawer-open');
    await page.keyboard.press('Tab');
    await expect(page.locator('#left-panel :focus')).toHaveCount(1); // the keyboard continues inside the drawer
    await masks.getByRole('radio', { name: /eraser/i }).click();
    await expect(page.getByTestId('canvas-status')).toContainText('Eraser');
    await page.keyboard.press('Escape');
    await expect(masks).toBeHidden();
    await expect(left).toBeFocused();
    await expect(left).toHaveAttribute('aria-expanded', 'false');

    // The other side; a click beside the drawer closes it too.
    await page.getByTestId('drawer-toggle-right').click();
    await expect(history).toBeVisible();
    await expect(masks).toBeHidden();
    await page.mouse.click(100, 300);
    await expect(history).toBeHidden();

    // Widened past the breakpoint the panels are columns again and no drawer is left open.
    await left.click();
    await page.setViewportSize({ width: 1280, height: 720 });
    await expect(masks).toBeVisible();
    await expect(history).toBeVisible();
    await expect(left).toBeHidden();
    await page.setViewportSize({ width: 900, height: 700 });
    await expect(masks).toBeHidden();
  });
});
