/**
 * @file One page for a serial group of UI tests, so they share one boot: each boot of the app installs the embedded
 * bundle and starts its warm-up edit, ~10 CPU-s on this 2-core machine, which UI tests that never edit need once,
 * not once each. The tests run in order on the page the previous one left; each opens what it works on.
 */
import { test, type Page } from '@playwright/test';

/**
 * Declares a `test.describe.serial` body whose tests all drive the page `get()` returns: opened (a new context, the
 * project's baseURL and service-worker setting, `viewport`) and booted with `boot` before the first test, closed
 * after the last.
 */
export function useSharedPage(
  boot: (page: Page) => Promise<void>,
  viewport = { width: 1440, height: 900 },
): () => Page {
  let page: Page | undefined;
  test.beforeAll(async ({ browser }, testInfo) => {
    const { baseURL, serviceWorkers } = testInfo.project.use;
    page = await browser.newPage({ baseURL, serviceWorkers, viewport });
    await boot(page);
  });
  test.afterAll(async () => {
    await page?.context().close();
  });
  return () => {
    if (!page) throw new Error('the shared page is opened in beforeAll');
    return page;
  };
}
