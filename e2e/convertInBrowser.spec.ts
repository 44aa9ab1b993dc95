/**
 * #13 item 1 in Chromium: the tiny official-layout checkpoint folder, picked in Models, converted by the
 * conversion worker (the app's own onnxruntime build for the preview fit) into IndexedDB, gives exactly the files
 * (sha256) and manifest.json the Node CLI writes from the same folder. On the way: a cancel after the DiT is
 * stored, a reload, and a resume that starts at the next step (the DiT is not converted again).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { convertBundle } from '../tools/convert/bundle/convertBundle';
import { hashFile } from '../tools/convert/node/nodeFiles';
import { makeTempDir } from '../tools/convert/testing';
import { TINY_MODEL_DIR } from '../tools/testing/tinyBundle';
import { openEditor } from './editor/app';

declare global {
  interface Window {
    __releaseBundleStore?: () => void;
    __stepStates?: string[];
  }
}

const temp = makeTempDir('e2e-convert');
const cliDir = join(temp.dir, 'cli');
// The conversion runs twice (the second resumes): seconds on an idle machine, minutes when it is shared.
test.setTimeout(900_000);
test.beforeAll(() => convertBundle(TINY_MODEL_DIR, cliDir, { weights: 'int4', segments: 2 }));
test.afterAll(() => temp.cleanup());

/**
 * Once the DiT step shows as stored, holds a read-write transaction on the bundle store (kept alive by a chain of
 * reads), so the worker's next write waits: the conversion is then surely between steps when Cancel is clicked.
 */
function holdStoreAfterDit(page: Page): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const grab = () => {
          const open = indexedDB.open('kontext-bundles');
          open.onsuccess = () => {
            const store = open.result.transaction('files', 'readwrite').objectStore('files');
            let held = true;
            window.__releaseBundleStore = () => void (held = false);
            const spin = () => {
              if (held) store.get('hold').onsuccess = spin;
            };
            spin();
            resolve();
          };
        };
        const ditStored = () => document.querySelector('[data-step="dit"][data-state="stored"]');
        const observer = new MutationObserver(() => {
          if (!ditStored()) return;
          observer.disconnect();
          grab();
        });
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
      }),
  );
}

/** Records every state each step row shows (`dit:converting`, …) from now on. */
async function recordStepStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.__stepStates = [];
    new MutationObserver(() => {
      for (const row of document.querySelectorAll<HTMLElement>('[data-testid="convert-step"]')) {
        const seen = `${row.dataset.step}:${row.dataset.state}`;
        if (!window.__stepStates!.includes(seen)) window.__stepStates!.push(seen);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

/** A stored bundle as the engine will read it: manifest.json's text and each file's sha256 over its chunks. */
function readStoredBundle(page: Page, id: string) {
  return page.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('kontext-bundles');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(new Error(String(open.error)));
    });
    const get = (key: IDBValidKey) =>
      new Promise<unknown>((resolve, reject) => {
        const req = db.transaction('files').objectStore('files').get(key);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(new Error(String(req.error)));
      });
    const record = (await get(['bundle', id])) as { manifest: { files: { path: string }[] } };
    const hashes: Record<string, string> = {};
    for (const { path } of record.manifest.files) {
      const file = (await get(['file', id, path])) as { chunks: number; verified: boolean };
      const chunks: Blob[] = [];
      for (let i = 0; i < file.chunks; i++) chunks.push((await get(['chunk', id, path, i])) as Blob);
      const digest = await crypto.subtle.digest('SHA-256', await new Blob(chunks).arrayBuffer());
      hashes[path] = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    }
    return { manifestText: JSON.stringify(record.manifest, null, 1) + '\n', hashes };
  }, id);
}

test('a model folder converts in the browser to the CLI bundle, byte for byte, and resumes after cancel + reload', async ({
  page,
}) => {
  const cliManifest = readFileSync(join(cliDir, 'manifest.json'), 'utf8');
  const { id, files } = JSON.parse(cliManifest) as { id: string; files: { path: string }[] };
  await openEditor(page);
  await page.getByRole('tab', { name: 'Models' }).click();
  const panel = page.getByTestId('convert-panel');
  await panel.getByLabel('Weights').selectOption('int4');
  await panel.getByLabel('DiT segments').fill('2');

  // Convert, cancel once the DiT is stored: nothing is listed, the stopped conversion is.
  const held = holdStoreAfterDit(page);
  await page.getByTestId('convert-folder').setInputFiles(TINY_MODEL_DIR);
  await held;
  await page.getByTestId('convert-cancel').click();
  await page.evaluate(() => window.__releaseBundleStore!());
  await expect(page.getByTestId('conversion')).toHaveAttribute('data-state', 'stopped', { timeout: 120_000 });
  await expect(page.getByTestId('convert-error')).toContainText('Cancelled');
  await expect(page.locator(`[data-testid="bundle"][data-bundle-id="${id}"]`)).toHaveCount(0);

  // After a reload the stopped conversion is offered; picking the same folder resumes after the DiT.
  await page.reload();
  await page.getByRole('tab', { name: 'Models' }).click();
  const pending = page.locator(`[data-testid="pending-conversion"][data-id="${id}"]`);
  await expect(pending).toContainText('Stored: Transformer (DiT)');
  await panel.getByLabel('DiT segments').fill('2');
  await recordStepStates(page);
  await page.getByTestId('convert-folder').setInputFiles(TINY_MODEL_DIR);
  const card = page.locator(`[data-testid="bundle"][data-bundle-id="${id}"]`);
  await expect(card).toContainText('Ready', { timeout: 600_000 });
  await expect(pending).toHaveCount(0);
  const seen = await page.evaluate(() => window.__stepStates!);
  expect(seen).toContain('dit:stored');
  expect(seen).not.toContain('dit:converting'); // resumed, not converted again
  expect(seen).toContain('ae:converting');

  const stored = await readStoredBundle(page, id);
  expect(stored.manifestText).toBe(cliManifest); // the preview fit's floats included
  expect(Object.keys(stored.hashes).sort()).toEqual(files.map((f) => f.path).sort());
  for (const f of files) expect(stored.hashes[f.path], f.path).toBe(await hashFile(join(cliDir, f.path)));
});
