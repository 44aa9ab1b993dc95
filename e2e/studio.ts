import { expect, type Page } from '@playwright/test';

/** Opens the app on its Diagnostics view (engine panel + autoencoder check) and waits until the worker reports `backend`. */
export async function openStudio(page: Page, backend: 'webgpu' | 'wasm' = 'webgpu'): Promise<void> {
  await page.goto('/');
  // Let boot's install of the embedded bundle finish first: on two cores it would otherwise compete with SwiftShader.
  await expect(page.getByTestId('model-status')).not.toHaveAttribute('data-embedded-bundle', 'unknown', {
    timeout: 120_000,
  });
  await page.getByRole('tab', { name: 'Diagnostics' }).click();
  await expect(page.getByTestId('capabilities')).toBeVisible();
  await chooseBackend(page, backend);
}

/** Switches the engine's backend through the UI and waits for the worker to confirm it. */
export async function chooseBackend(page: Page, backend: 'webgpu' | 'wasm'): Promise<void> {
  await page.getByLabel('Backend').selectOption(backend);
  await expect(page.getByTestId('capabilities')).toHaveAttribute('data-backend', backend);
}

/** Uploads encoder and decoder files (graph first, then external data) through the panel's inputs. */
export async function chooseModels(page: Page, encoder: string[], decoder: string[]): Promise<void> {
  await page.getByTestId('encoder-files').setInputFiles(encoder);
  await page.getByTestId('decoder-files').setInputFiles(decoder);
}

/** Runs the round trip and waits for a result on `backend` (or fails at once with the engine's error); returns the reported PSNR. */
export async function runRoundTrip(page: Page, backend: 'webgpu' | 'wasm'): Promise<number> {
  await page.getByTestId('run-roundtrip').click();
  const result = page.getByTestId('roundtrip-result').and(page.locator(`[data-backend="${backend}"]`));
  const error = page.getByTestId('notice-error');
  // SwiftShader runs WebGPU on the CPU: a loaded two-core machine needs minutes for 128×128.
  await expect(result.or(error)).toBeVisible({ timeout: 300_000 });
  if (await error.isVisible()) throw new Error(`round trip on ${backend} failed: ${await error.textContent()}`);
  return Number(await result.getAttribute('data-psnr'));
}

/** Drops a file on the page the way a user drags one in from the desktop. */
export async function dropFile(page: Page, name: string, mimeType: string, content: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ name, mimeType, content }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([content], name, { type: mimeType }));
      return dt;
    },
    { name, mimeType, content },
  );
  await page.dispatchEvent('body', 'drop', { dataTransfer });
}
