import { expect, test } from '@playwright/test';

test('the app boots, is cross-origin isolated, and the worker finds the WebGPU adapter the page finds', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Kontext Studio' })).toBeVisible();
  await page.getByRole('tab', { name: 'Models' }).click();
  const caps = page.getByTestId('capabilities');
  await expect(caps).toHaveAttribute('data-backend', /webgpu|wasm/);
  // The page asks navigator.gpu itself: the worker must report that same adapter (a worker that found none shows
  // 'none' and no shader-f16 row; one that never answered shows no capabilities at all).
  const adapter = await page.evaluate(async () => {
    const found = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!found) return null;
    const info = found.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    const fallback = info.isFallbackAdapter ?? (found as { isFallbackAdapter?: boolean }).isFallbackAdapter;
    return { vendor: info.vendor, architecture: info.architecture, fallback, f16: found.features.has('shader-f16') };
  });
  expect(adapter, 'the page itself finds no WebGPU adapter').not.toBeNull();
  const { vendor, architecture, fallback, f16 } = adapter!;
  // Auto never runs on a software adapter (SwiftShader here without a GPU): WASM is ~50× faster, and the panel says so.
  await expect(caps).toHaveAttribute('data-backend', fallback ? 'wasm' : 'webgpu');
  if (fallback) {
    await expect(page.getByTestId('fallback-reason')).toContainText(
      'WebGPU adapter is a software fallback (SwiftShader): using WASM, which is faster here; choose WebGPU to use it anyway',
    );
    // The Adapter row never shows the refused adapter as if it were in use.
    await expect(page.getByTestId('adapter')).toHaveText(
      'none usable: software adapter (SwiftShader) refused, WASM used',
    );
    // Chosen explicitly, WebGPU runs on it anyway, and the choice outlives a reload.
    await page.getByLabel('Backend').selectOption('webgpu');
    await expect(caps).toHaveAttribute('data-backend', 'webgpu');
    await page.waitForTimeout(1000); // the settings autosave
    await page.reload();
    await page.getByRole('tab', { name: 'Models' }).click();
    await expect(page.getByLabel('Backend')).toHaveValue('webgpu');
    await expect(caps).toHaveAttribute('data-backend', 'webgpu');
  }
  await expect(page.getByTestId('adapter')).toHaveText(
    `${vendor || 'unknown vendor'} / ${architecture || 'unknown'}${fallback ? ' (software fallback)' : ''}`,
  );
  await expect(page.getByTestId('shader-f16')).toHaveText(f16 ? 'yes' : 'no (fp32 models only)');
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  expect(errors.filter((e) => /Content Security Policy|Refused to/.test(e))).toEqual([]);
});
