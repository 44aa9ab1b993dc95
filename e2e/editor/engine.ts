/** @file Helpers for specs that run real edits on the embedded bundle. */
import { expect, type Page } from '@playwright/test';
import { readEngineSpans, type EngineSpan } from '../../tools/testing/engineTimeline';

/** Generous: SwiftShader runs WebGPU on two CPU cores. */
export const EDIT_TIMEOUT = 280_000;

/** Types an instruction, presses Ctrl+Enter and waits for the new turn. */
export async function generate(page: Page, instruction: string): Promise<void> {
  const turns = await page.getByTestId('turn').count();
  await page.getByTestId('prompt-input').fill(instruction);
  await page.getByTestId('prompt-input').press('Control+Enter');
  // Only the new turn is waited for: a warmed-up edit can finish before the progress bar is ever polled.
  await expect(page.getByTestId('turn')).toHaveCount(turns + 1, { timeout: EDIT_TIMEOUT });
  await expect(page.getByRole('alert')).toHaveCount(0);
}

/** The engine worker's load timeline so far (its `kontext:` measures), by name (the first of each name). */
export async function readEngineTimeline(page: Page): Promise<Map<string, EngineSpan>> {
  const engine = page.workers().find((w) => w.url().includes('engine.worker'));
  if (!engine) throw new Error('no engine worker on the page');
  const byName = new Map<string, EngineSpan>();
  for (const s of (await readEngineSpans(engine)).spans) if (!byName.has(s.name)) byName.set(s.name, s);
  return byName;
}
