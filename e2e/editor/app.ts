/**
 * @file Driving the editor in the built app: open it, open images, paint, read state from the DOM,
 * download files, and save screenshots for review.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { REPO_ROOT } from '../models';

/** Where review screenshots go (test-results/screenshots unless E2E_SCREENSHOT_DIR says otherwise). */
export const SCREENSHOT_DIR = process.env.E2E_SCREENSHOT_DIR ?? join(REPO_ROOT, 'test-results', 'screenshots');

/** Opens the app on the editor and waits until it has read storage and asked the engine for bundles. */
export async function openEditor(page: Page): Promise<void> {
  await page.goto('/');
  await waitForEditor(page);
}

async function waitForEditor(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Kontext Studio' })).toBeVisible();
  await expect(page.getByTestId('model-status')).not.toHaveAttribute('data-embedded-bundle', 'unknown');
}

/**
 * Opens the editor and fails unless the engine lists the embedded kontext-micro bundle. The build always ships it
 * (`npm run test:e2e` runs `npm run bundle:micro` first), so a spec that needs real edits fails without it, never skips.
 */
export async function openEditorWithModel(page: Page): Promise<void> {
  await openEditor(page);
  await expectEmbeddedModel(page);
}

/**
 * openEditorWithModel on `backend`, chosen while the embedded bundle installs, as a user who picks it at once: the
 * model is then prepared (its warm-up edit) on that backend only, not first on Auto's choice.
 */
export async function openEditorWithModelOn(page: Page, backend: 'webgpu' | 'wasm'): Promise<void> {
  await page.goto('/');
  await useBackend(page, backend);
  await waitForEditor(page);
  await expectEmbeddedModel(page);
}

async function expectEmbeddedModel(page: Page): Promise<void> {
  await expect(
    page.getByTestId('model-status'),
    'the engine lists no embedded kontext-micro bundle: npm run bundle:micro builds it into public/bundles before vite build',
  ).toHaveAttribute('data-embedded-bundle', 'present');
}

/**
 * Switches the engine's backend from the Models view, then returns to the editor. Multi-edit specs use WASM:
 * on this CPU-only machine WebGPU is SwiftShader, ~100× slower, and starves when the machine is busy; the
 * WebGPU path keeps its own edit specs (cancel, offline) and the golden checks in pipeline.spec.ts.
 */
export async function useBackend(page: Page, backend: 'webgpu' | 'wasm'): Promise<void> {
  await page.getByRole('tab', { name: 'Models' }).click();
  await page.getByLabel('Backend').selectOption(backend);
  await expect(page.getByTestId('capabilities')).toHaveAttribute('data-backend', backend);
  await page.getByRole('tab', { name: 'Editor' }).click();
}

/** Starts a new session from the Sessions view (the editor then shows the sample gallery) and opens sample `title`. */
export async function openSampleInNewSession(page: Page, title: string): Promise<void> {
  await page.getByRole('tab', { name: 'Sessions' }).click();
  await page.getByRole('button', { name: 'New', exact: true }).click();
  await page.getByRole('button', { name: `Open sample: ${title}` }).click();
  await expect(page.getByTestId('turn')).toHaveCount(1);
}

/**
 * Opens an image through the Open button's file input and waits for its root turn: a new one, also when the page
 * already shows a one-turn session (decoding is asynchronous, so a count of 1 could be the old session's).
 */
export async function openImage(page: Page, name: string, buffer: Buffer): Promise<void> {
  const turn = page.getByTestId('turn');
  const before = (await turn.count()) === 1 ? await turn.getAttribute('data-turn-id') : null;
  await page.getByTestId('open-image').setInputFiles({ name, mimeType: 'image/png', buffer });
  await expect(turn).toHaveCount(1);
  if (before) await expect(turn).not.toHaveAttribute('data-turn-id', before);
}

/** Drops a file on the page the way a user drags one in from the desktop. */
export async function dropFiles(
  page: Page,
  files: { name: string; mimeType: string; buffer: Buffer }[],
  selector = 'body',
): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, mimeType: f.mimeType, data: [...f.buffer] }));
  const dataTransfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const f of items) dt.items.add(new File([new Uint8Array(f.data)], f.name, { type: f.mimeType }));
    return dt;
  }, payload);
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}

/** Pastes files as if from the clipboard, on `selector`'s element (focus there first). */
export async function pasteFiles(
  page: Page,
  files: { name: string; mimeType: string; buffer: Buffer }[],
  selector: string,
): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, mimeType: f.mimeType, data: [...f.buffer] }));
  await page.locator(selector).focus();
  await page.locator(selector).evaluate((el, items) => {
    const dt = new DataTransfer();
    for (const f of items) dt.items.add(new File([new Uint8Array(f.data)], f.name, { type: f.mimeType }));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, payload);
}

/** The canvas's view state, from its data attributes. */
export async function getView(page: Page): Promise<{ zoom: number; panX: number; panY: number; path: string }> {
  const c = page.getByTestId('editor-canvas');
  return {
    zoom: Number(await c.getAttribute('data-zoom')),
    panX: Number(await c.getAttribute('data-pan-x')),
    panY: Number(await c.getAttribute('data-pan-y')),
    path: (await c.getAttribute('data-tool-path')) ?? '',
  };
}

/** Screen position of an image pixel. */
export async function imagePointToScreen(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('editor-canvas').boundingBox())!;
  const v = await getView(page);
  return { x: box.x + v.panX + x * v.zoom, y: box.y + v.panY + y * v.zoom };
}

/** Paints (or erases) a straight stroke between two image points. */
export async function paintStroke(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const a = await imagePointToScreen(page, ...from),
    b = await imagePointToScreen(page, ...to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 12 });
  await page.mouse.up();
}

/** The mask panel's repaint share in percent (0 = no mask). */
export async function maskCoverage(page: Page): Promise<number> {
  const text = (await page.getByTestId('mask-coverage').textContent()) ?? '';
  return text.includes('whole image') ? 0 : parseFloat(text);
}

/** Clicks something that downloads a file and returns its bytes. */
export async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
}

/** Exports the open session through the Sessions view and returns the file's bytes. */
export async function exportCurrentSession(page: Page): Promise<Buffer> {
  await page.getByRole('tab', { name: 'Sessions' }).click();
  const row = page.locator('[data-testid="session"].current');
  const file = await download(page, () => row.getByRole('button', { name: /^Export / }).click());
  await page.getByRole('tab', { name: 'Editor' }).click();
  return file.bytes;
}

/** Waits for the debounced autosave to write (the session list shows the session with `turns` turns). */
export async function waitForSave(page: Page, turns?: number): Promise<void> {
  await page.waitForTimeout(700); // > the 400 ms debounce
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
  if (turns !== undefined) {
    await page.getByRole('tab', { name: 'Sessions' }).click();
    await expect(page.locator('[data-testid="session"].current')).toContainText(`${turns - 1} edit`);
    await page.getByRole('tab', { name: 'Editor' }).click();
  }
}

/** Saves a screenshot for review under test-results/screenshots/ and attaches it to the report. */
export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null)))));
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}
