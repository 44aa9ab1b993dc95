import { expect, test, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import {
  download,
  exportCurrentSession,
  maskCoverage,
  openEditor,
  openImage,
  paintStroke,
  saveScreenshot,
  waitForSave,
} from './editor/app';
import { photoPng } from './editor/images';
import { makeBranchedSession, readSessionFile } from './editor/sessionFiles';
import { useSharedPage } from './sharedPage';

test.use({ viewport: { width: 1440, height: 900 } });

async function importFixture(page: Page, name?: string) {
  await page.getByRole('tab', { name: 'Sessions' }).click();
  await page
    .getByTestId('import-session')
    .setInputFiles({ name: 'street.kontext', mimeType: 'application/octet-stream', buffer: makeBranchedSession(name) });
  await expect(page.getByTestId('turn')).toHaveCount(5);
}

const currentTurn = (page: Page) => page.locator('[data-testid="turn"][aria-current="step"]');

// One boot for the first four tests (e2e/sharedPage.ts), ~30 CPU-s fewer: each imports or opens its own session,
// and a reload restores the latest one. The session list's test counts the sessions stored, so it has its own page.
test.describe.serial('one page', () => {
  const get = useSharedPage(openEditor);

  test('history: a branched session shows every turn; click, undo/redo and compare walk it', async () => {
    const page = get();
    const testInfo = test.info();
    await importFixture(page);
    await expect(page.getByTestId('turn')).toHaveText([
      /Original/,
      /Turn 1.*make the car red/,
      /Turn 2.*add snow/,
      /Turn 3.*now at night/,
      /Turn 2.*make it autumn/,
    ]);
    await expect(currentTurn(page)).toHaveAttribute('data-turn-id', 't3');
    await saveScreenshot(page, testInfo, '05-history-branches');

    await page.getByTestId('editor-canvas').focus();
    await page.keyboard.press('Control+z');
    await expect(currentTurn(page)).toHaveAttribute('data-turn-id', 't2');
    await page.keyboard.press('Control+z');
    await expect(currentTurn(page)).toHaveAttribute('data-turn-id', 't1');
    await expect(page.getByTestId('turn-details')).toContainText('make the car red');
    await expect(page.getByTestId('turn-details')).toContainText('masked, 1 reference');
    await page.keyboard.press('Control+Shift+z');
    await expect(currentTurn(page)).toHaveAttribute('data-turn-id', 't2'); // back the way we came

    await page.locator('[data-turn-id="b1"]').click();
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+y');
    await expect(currentTurn(page)).toHaveAttribute('data-turn-id', 'b1'); // redo follows the branch last visited

    await page.keyboard.press('c');
    await expect(page.getByTestId('compare-slider')).toBeVisible();
    await page.getByLabel('Before/after split').fill('350');
    await saveScreenshot(page, testInfo, '06-compare');
    await page.keyboard.press('c');
    await expect(page.getByTestId('compare-slider')).toBeHidden();

    // "Reuse" puts a turn's settings back in the prompt, seed locked.
    await page.locator('[data-turn-id="t2"]').click();
    await page.getByRole('button', { name: 'Reuse' }).click();
    await expect(page.getByTestId('prompt-input')).toHaveValue('add snow');
    await expect(page.getByLabel('Seed value')).toHaveValue('22');
  });

  test('export PNG carries the edit chain in tEXt chunks', async () => {
    const page = get();
    await importFixture(page);
    const png = await download(page, () => page.getByTestId('export-png').click());
    expect(png.name).toBe('Fixture-street-turn-3.png');
    const chunks = readTextChunks(png.bytes);
    expect(chunks.Software).toBe('Kontext Studio');
    expect(chunks.Description).toContain(
      '1. "make the car red" (seed 11, 8 steps, guidance 2.5, kontext-micro, masked, 1 reference)',
    );
    const chain = JSON.parse(chunks['kontext:chain']!);
    expect(chain.turns.map((t: { instruction: string }) => t.instruction)).toEqual([
      'make the car red',
      'add snow',
      'now at night',
    ]);
    expect(PNG.sync.read(png.bytes).width).toBe(96);
  });

  function readTextChunks(bytes: Buffer): Record<string, string> {
    const out: Record<string, string> = {};
    for (let pos = 8; pos < bytes.length;) {
      const len = bytes.readUInt32BE(pos),
        type = bytes.toString('latin1', pos + 4, pos + 8);
      if (type === 'tEXt') {
        const data = bytes.subarray(pos + 8, pos + 8 + len),
          nul = data.indexOf(0);
        out[data.toString('latin1', 0, nul)] = data.toString('latin1', nul + 1);
      }
      pos += 12 + len;
    }
    return out;
  }

  test('a session with a painted mask and references reloads intact, pixel for pixel', async () => {
    const page = get();
    await openImage(page, 'street.png', photoPng(160, 100));
    await page.getByTestId('reference-files').setInputFiles([
      { name: 'a.png', mimeType: 'image/png', buffer: photoPng(40, 40, [255, 0, 0]) },
      { name: 'b.png', mimeType: 'image/png', buffer: photoPng(48, 32, [0, 200, 0]) },
    ]);
    await page.getByLabel('Brush size (image pixels)').fill('20');
    await paintStroke(page, [20, 50], [140, 50]);
    await page.getByTestId('prompt-input').fill('make the square red');
    const coverage = await maskCoverage(page);
    expect(coverage).toBeGreaterThan(5);
    await waitForSave(page, 1);
    const before = readSessionFile(await exportCurrentSession(page));
    await saveScreenshot(page, test.info(), '07-session-before-reload');

    await page.reload();
    await expect(page.getByTestId('turn')).toHaveCount(1);
    expect(await maskCoverage(page)).toBe(coverage);
    await expect(page.getByTestId('reference-item')).toHaveCount(2);
    await expect(page.getByTestId('prompt-input')).toHaveValue('make the square red');
    await expect(page.getByTestId('session-name')).toHaveValue('street');
    const after = readSessionFile(await exportCurrentSession(page));
    expect(after.header.tree).toEqual(before.header.tree);
    expect(after.header.draft.references).toEqual(before.header.draft.references);
    expect(after.header.blobs.map((b) => b.id).sort()).toEqual(before.header.blobs.map((b) => b.id).sort());
    for (const b of before.header.blobs) expect(after.pixels(b.id).data.equals(before.pixels(b.id).data)).toBe(true);
  });

  test('an imported branched session survives a reload: tree, images and masks', async () => {
    const page = get();
    await importFixture(page);
    await waitForSave(page, 5);
    await page.reload();
    await expect(page.getByTestId('turn')).toHaveCount(5);
    await expect(currentTurn(page)).toHaveAttribute('data-turn-id', 't3');
    const fixture = readSessionFile(makeBranchedSession());
    const after = readSessionFile(await exportCurrentSession(page));
    expect(after.header.tree).toEqual(fixture.header.tree);
    for (const id of ['img-root', 'img-t1', 'img-t2', 'img-t3', 'img-b1', 'mask-t1', 'ref-1']) {
      expect(after.pixels(id).data.equals(fixture.pixels(id).data)).toBe(true);
    }
  });
});

test('the session list opens, renames and deletes; a damaged import changes nothing', async ({ page }, testInfo) => {
  page.on('dialog', (d) => void d.accept());
  await openEditor(page);
  await openImage(page, 'first.png', photoPng(64, 64));
  await waitForSave(page, 1);
  await importFixture(page, 'Second');
  await waitForSave(page, 5);
  await page.getByRole('tab', { name: 'Sessions' }).click();
  const rows = page.getByTestId('session');
  await expect(rows).toHaveCount(2);
  await saveScreenshot(page, testInfo, '08-sessions');

  await page.getByRole('button', { name: 'Rename first' }).click();
  await page.getByLabel('Session name').last().fill('Renamed');
  await page.getByLabel('Session name').last().press('Enter');
  await expect(rows.filter({ hasText: 'Renamed' })).toHaveCount(1);

  await page.getByTestId('import-session').setInputFiles({
    name: 'broken.kontext',
    mimeType: 'application/octet-stream',
    buffer: makeBranchedSession().subarray(0, 900),
  });
  await expect(page.getByRole('alert')).toContainText('“broken.kontext” could not be imported');
  await expect(page.getByRole('alert')).toContainText('Nothing was changed');
  await expect(rows).toHaveCount(2);

  await page.getByRole('button', { name: 'Open session Renamed' }).click();
  await expect(page.getByTestId('turn')).toHaveCount(1);
  await expect(page.getByTestId('session-name')).toHaveValue('Renamed');
  await page.getByRole('tab', { name: 'Sessions' }).click();
  await page.getByRole('button', { name: 'Delete Second' }).click();
  await expect(rows).toHaveCount(1);
  await page.reload();
  await page.getByRole('tab', { name: 'Sessions' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText('Renamed');
});
