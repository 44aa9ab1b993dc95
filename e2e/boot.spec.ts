import { expect, test } from '@playwright/test';

test('the app boots, is cross-origin isolated, and the worker finds a WebGPU adapter', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Kontext Studio' })).toBeVisible();
  await page.getByRole('tab', { name: 'Models' }).click();
  const caps = page.getByTestId('capabilities');
  await expect(caps).toHaveAttribute('data-backend', 'webgpu');
  await expect(page.getByTestId('adapter')).toContainText(/swiftshader|google|\w+/i);
  await expect(page.getByTestId('shader-f16')).toBeVisible();
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  expect(errors.filter((e) => /Content Security Policy|Refused to/.test(e))).toEqual([]);
});
