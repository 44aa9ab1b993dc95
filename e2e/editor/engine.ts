/** @file Helpers for specs that run real edits on the embedded bundle. */
import { expect, type Page } from '@playwright/test';

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

/** One span of the engine worker's load timeline (workers/runtime/timeline.ts), ms on the worker's clock. */
export interface EngineSpan {
  name: string;
  start: number;
  end: number;
}

/** The engine worker's `kontext:` measures so far, by name without the prefix (the first of each name). */
export async function readEngineTimeline(page: Page): Promise<Map<string, EngineSpan>> {
  const engine = page.workers().find((w) => w.url().includes('engine.worker'));
  if (!engine) throw new Error('no engine worker on the page');
  const spans = await engine.evaluate(() =>
    performance
      .getEntriesByType('measure')
      .filter((e) => e.name.startsWith('kontext:'))
      .map((e) => ({ name: e.name.slice('kontext:'.length), start: e.startTime, end: e.startTime + e.duration })),
  );
  const byName = new Map<string, EngineSpan>();
  for (const s of spans) if (!byName.has(s.name)) byName.set(s.name, s);
  return byName;
}
