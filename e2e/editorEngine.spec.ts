/** Real edits on the embedded kontext-micro bundle (the build ships it: without it these tests fail). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import {
  exportCurrentSession,
  openEditorWithModel,
  openEditorWithModelOn,
  openSampleInNewSession,
  paintStroke,
  saveScreenshot,
  useBackend,
  waitForSave,
} from './editor/app';
import { EDIT_TIMEOUT, generate, readEngineTimeline } from './editor/engine';
import { photoPng } from './editor/images';
import { readSessionFile } from './editor/sessionFiles';
import { REPO_ROOT } from './models';
import { useSharedPage } from './sharedPage';

/** The embedded bundle's own sampler settings (manifest `sampling`), which the prompt bar starts from. */
const MODEL_SAMPLING: { default_steps: number; default_average?: number } = JSON.parse(
  readFileSync(join(REPO_ROOT, 'public/bundles/kontext-micro/manifest.json'), 'utf8'),
).sampling;
const MODEL_STEPS = String(MODEL_SAMPLING.default_steps);
const MODEL_AVERAGE = MODEL_SAMPLING.default_average ?? 1;

test.use({ viewport: { width: 1440, height: 900 } });

// The WASM edits share one page and one boot (e2e/sharedPage.ts: ~19 CPU-s each for a boot, the bundle's install
// and its warm-up). The first test's first edit is the first after ready; the others start a new session for their
// sample (the gallery shows only when nothing is open); variations run last (the field stays 2).
test.describe.serial('on WASM, one page', () => {
  const get = useSharedPage(async (page) => {
    await openEditorWithModel(page);
    await useBackend(page, 'wasm');
  });

  test('three turns with a mask and a reference, a branch from turn 1, then a reload brings it all back', async () => {
    test.setTimeout(6 * EDIT_TIMEOUT);
    const page = get();
    // Ready means warmed up (#14): the badge names the model only once the engine's warm-up edit is done.
    await expect(page.getByTestId('model-status')).toContainText('kontext-micro · WASM', { timeout: EDIT_TIMEOUT });
    await page.getByRole('button', { name: 'Open sample: Circle, star and square' }).click();
    await page
      .getByTestId('reference-files')
      .setInputFiles({ name: 'style.png', mimeType: 'image/png', buffer: photoPng(64, 64, [40, 80, 220]) });
    await page.getByLabel('Brush size (image pixels)').fill('40');
    await paintStroke(page, [10, 64], [40, 64]); // over the red circle
    // The image and the reference are encoded while the user writes the prompt (editor/prepareImages.ts); that the
    // edit then skips the encoder is counted, not timed, in tools/integration/warmUp.integration.test.ts.
    await expect(page.getByTestId('canvas-status')).toHaveAttribute('data-image-encoded', 'true');
    await generate(page, 'make the red circle blue');
    await saveScreenshot(page, test.info(), '13-engine-turn-1');
    await generate(page, 'remove the star');
    await generate(page, 'make the background yellow');
    // ↑ in the instruction field walks back through earlier instructions.
    await page.getByTestId('prompt-input').fill('');
    await page.getByTestId('prompt-input').press('ArrowUp');
    await expect(page.getByTestId('prompt-input')).toHaveValue('make the background yellow');
    await page.getByTestId('prompt-input').press('ArrowUp');
    await expect(page.getByTestId('prompt-input')).toHaveValue('remove the star');
    await page.locator('[data-testid="turn"][data-depth="1"]').click();
    await generate(page, 'make the background gray');
    await expect(page.getByTestId('turn')).toHaveCount(5);
    await expect(page.locator('[data-testid="turn"][data-depth="2"]')).toHaveCount(2); // the branch
    await saveScreenshot(page, test.info(), '14-engine-branch');

    await waitForSave(page, 5);
    const before = readSessionFile(await exportCurrentSession(page));
    const turn1 = Object.values(before.header.tree.nodes).find((n) => n.instruction === 'make the red circle blue')!;
    // The first edit after ready waited for nothing: the engine's own queue wait (time from the job's arrival to its
    // start) is ~0, where a warm-up still running would have cost it seconds on this machine, loaded or not.
    expect(turn1.timing!.phases.queued).toBeLessThan(100);
    expect(turn1.mask).not.toBeNull();
    expect(turn1.references).toHaveLength(1);
    await page.reload();
    await expect(page.getByTestId('turn')).toHaveCount(5);
    // The reload's load order (#14, the time to ready): the worker starts onnxruntime before any model's session,
    // the bundle opened last is read on the reading thread while the runtime starts, graphs are read ahead of their
    // sessions, and the built-in bundle's re-check waits for the warm-up.
    await expect(page.getByTestId('model-status')).toContainText('kontext-micro · WASM', { timeout: EDIT_TIMEOUT });
    await expect.poll(async () => (await readEngineTimeline(page)).has('add bundle')).toBe(true);
    const spans = await readEngineTimeline(page);
    const span = (name: string) => {
      const found = spans.get(name);
      if (!found) throw new Error(`no "${name}" in the engine's timeline: ${[...spans.keys()].join(', ')}`);
      return found;
    };
    expect(span('start runtime').end).toBeLessThanOrEqual(span('create t5.onnx').start);
    expect(span('read t5.onnx').start).toBeLessThan(span('start runtime').end);
    expect(span('read dit.onnx').start).toBeLessThan(span('create ae_encoder.onnx').end);
    expect(span('add bundle').start).toBeGreaterThanOrEqual(span('warm-up edit').end);
    const after = readSessionFile(await exportCurrentSession(page));
    expect(after.header.tree).toEqual(before.header.tree);
    for (const b of before.header.blobs) expect(after.pixels(b.id).data.equals(before.pixels(b.id).data)).toBe(true);
  });

  test('a masked edit leaves every pixel outside the mask identical', async () => {
    test.setTimeout(2 * EDIT_TIMEOUT);
    const page = get();
    await openSampleInNewSession(page, 'Text on a gradient');
    await page.getByLabel('Brush size (image pixels)').fill('36');
    await paintStroke(page, [40, 64], [88, 64]); // over the heart
    await generate(page, 'make the heart smaller');
    const file = readSessionFile(await exportCurrentSession(page));
    const { nodes, rootId, currentId } = file.header.tree;
    const input = file.pixels(nodes[rootId]!.image.id),
      output = file.pixels(nodes[currentId]!.image.id);
    const mask = file.pixels(nodes[currentId]!.mask!.id);
    expect([output.width, output.height]).toEqual([input.width, input.height]);
    let outside = 0;
    for (let p = 0; p < input.width * input.height; p++) {
      if (mask.data[p * 4]! >= 128) continue;
      outside++;
      expect(
        output.data.subarray(p * 4, p * 4 + 4).equals(input.data.subarray(p * 4, p * 4 + 4)),
        `pixel ${p} outside the mask changed`,
      ).toBe(true);
    }
    expect(outside).toBeGreaterThan(input.width * input.height * 0.5);
  });

  test('unchanged pixels come back from the input byte for byte, and not when the option is off', async () => {
    test.setTimeout(3 * EDIT_TIMEOUT);
    const page = get();
    await openSampleInNewSession(page, 'Circle, star and square');
    await expect(page.getByTestId('keep-unchanged')).toBeChecked(); // the default
    await generate(page, 'remove the star');
    await expect(page.getByTestId('changed-share')).toContainText(/% of pixels, the rest kept exactly/);
    await page.locator('[data-testid="turn"][data-depth="0"]').click();
    await page.getByTestId('keep-unchanged').uncheck();
    await generate(page, 'remove the star');
    await expect(page.getByTestId('changed-share')).toHaveText(/^\d+ % of pixels$/);
    const file = readSessionFile(await exportCurrentSession(page));
    const { nodes, rootId } = file.header.tree;
    const input = file.pixels(nodes[rootId]!.image.id);
    const [kept, raw] = nodes[rootId]!.childIds.map((id) => nodes[id]);
    if (!kept || !raw) throw new Error('the session file has fewer than two turns under the root');
    const exactShare = (turn: typeof kept) => {
      const output = file.pixels(turn.image.id);
      let same = 0;
      for (let p = 0; p < input.width * input.height; p++)
        if (output.data.subarray(p * 4, p * 4 + 4).equals(input.data.subarray(p * 4, p * 4 + 4))) same++;
      return same / (input.width * input.height);
    };
    expect([kept.params!.keepUnchanged, raw.params!.keepUnchanged]).toEqual([true, false]);
    // Removing one object leaves most of the picture as it was: kept exactly with the option, re-drawn without it.
    expect(exactShare(kept)).toBeGreaterThan(0.5);
    expect(exactShare(raw)).toBeLessThan(0.2);
  });

  test('one Generate with two variations adds two sibling turns with their own seeds', async () => {
    test.setTimeout(2 * EDIT_TIMEOUT);
    const page = get();
    await openSampleInNewSession(page, 'Circle, star and square');
    await page.getByLabel('Variations').fill('2');
    await page.getByTestId('prompt-input').fill('make the background yellow');
    await page.getByTestId('prompt-input').press('Control+Enter');
    await expect(page.getByTestId('turn')).toHaveCount(3, { timeout: EDIT_TIMEOUT });
    await expect(page.locator('[data-testid="turn"][data-depth="1"]')).toHaveCount(2);
    await expect(page.getByRole('alert')).toHaveCount(0);
    const file = readSessionFile(await exportCurrentSession(page));
    const turns = Object.values(file.header.tree.nodes).filter((n) => n.instruction === 'make the background yellow');
    expect(turns).toHaveLength(2);
    expect(turns[0]!.parentId).toBe(turns[1]!.parentId);
    expect(turns[0]!.params!.seed).not.toBe(turns[1]!.params!.seed);
    const [a, b] = [file.pixels(turns[0]!.image.id).data, file.pixels(turns[1]!.image.id).data];
    expect(a.equals(b)).toBe(false); // different noise, different pictures
  });
});

test('cancel stops a running edit and keeps the session as it was', async ({ page }) => {
  test.setTimeout(2 * EDIT_TIMEOUT);
  // WebGPU keeps this spec: Auto picks WASM on SwiftShader, so it is chosen explicitly, at once, so that no WASM
  // warm-up runs first (10 CPU-s here).
  await openEditorWithModelOn(page, 'webgpu');
  // Ready once the WebGPU warm-up edit is done (over a minute on SwiftShader under load): the job then starts at once.
  await expect(page.getByTestId('model-status')).toContainText('kontext-micro · WebGPU', { timeout: EDIT_TIMEOUT });
  await page.getByRole('button', { name: 'Open sample: Circle, star and square' }).click();
  await expect(page.getByLabel('Steps')).toHaveValue(MODEL_STEPS); // the bundle's own defaults (manifest sampling)
  await expect(page.getByLabel('Average of runs')).toHaveValue(String(MODEL_AVERAGE));
  await page.getByLabel('Steps').fill('50');
  await page.getByTestId('prompt-input').fill('remove the star');
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('job-progress')).toBeVisible();
  // Every averaged run's steps count.
  await expect(page.getByTestId('job-progress')).toContainText(new RegExp(`step \\d+/${50 * MODEL_AVERAGE}`), {
    timeout: EDIT_TIMEOUT,
  });
  await saveScreenshot(page, test.info(), '15-engine-running');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('job-progress')).toBeHidden({ timeout: EDIT_TIMEOUT });
  await expect(page.getByTestId('turn')).toHaveCount(1);
  await expect(page.getByRole('status').filter({ hasText: 'Cancelled.' })).toBeVisible();
  await page.getByTestId('model-defaults').click();
  await expect(page.getByLabel('Steps')).toHaveValue(MODEL_STEPS);
  await expect(page.getByTestId('model-defaults')).toBeHidden();
});
