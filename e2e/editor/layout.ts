/**
 * @file Layout checks measured in the page: what the screenshots should show, as assertions a spec can make at
 * any window size.
 */
import type { Page } from '@playwright/test';

/**
 * Everything wrong with the layout right now, in words (empty when it holds): anything in the top bar, the
 * canvas footer or the prompt bar that sticks out of the window or out of its bar, a title or model badge on more
 * than one line, a clipped canvas-tool label, and the zoom widget touching the status text or the image.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const name = (e: Element) =>
      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${typeof e.className === 'string' && e.className ? `.${e.className.trim().split(/\s+/).join('.')}` : ''}` +
      ((e.textContent ?? '').trim() ? ` “${(e.textContent ?? '').trim().slice(0, 30)}”` : '');
    const shown = (e: Element) => {
      const r = e.getBoundingClientRect();
      return r.width > 1 && r.height > 1 && getComputedStyle(e).visibility !== 'hidden';
    };
    const overlap = (a: DOMRect, b: DOMRect) =>
      a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    const lines = (e: Element) => {
      const lineHeight = parseFloat(getComputedStyle(e).lineHeight) || parseFloat(getComputedStyle(e).fontSize) * 1.4;
      return Math.round(e.getBoundingClientRect().height / lineHeight);
    };

    for (const bar of document.querySelectorAll('.top-bar, .canvas-footer, .prompt-bar')) {
      const box = bar.getBoundingClientRect();
      if (bar.scrollWidth > bar.clientWidth + 1) problems.push(`${name(bar)} overflows itself`);
      for (const e of [bar, ...bar.querySelectorAll('*')]) {
        if (!shown(e)) continue;
        const r = e.getBoundingClientRect();
        if (r.left < -0.5 || r.right > window.innerWidth + 0.5) problems.push(`${name(e)} leaves the window`);
        else if (e !== bar && (r.left < box.left - 0.5 || r.right > box.right + 0.5))
          problems.push(`${name(e)} sticks out of ${name(bar).split(' ')[0]}`);
      }
    }
    const title = document.querySelector('.brand h1');
    if (!title || !shown(title)) problems.push('the title is not shown');
    else if (lines(title) !== 1) problems.push(`the title takes ${lines(title)} lines`);
    const pill = document.querySelector('.model-pill');
    if (pill && pill.getBoundingClientRect().height > 34) problems.push('the model badge takes more than one line');
    for (const b of document.querySelectorAll('.segmented button'))
      if (shown(b) && b.scrollWidth > b.clientWidth + 1) problems.push(`${name(b)} is clipped`);

    const zoom = document.querySelector('.zoom-controls');
    const status = document.querySelector('.canvas-status');
    const canvas = document.querySelector<HTMLElement>('[data-testid="editor-canvas"]');
    if (zoom && status && overlap(zoom.getBoundingClientRect(), status.getBoundingClientRect()))
      problems.push('the zoom widget overlaps the status text');
    const size = canvas?.getAttribute('aria-label')?.match(/(\d+)×(\d+)/);
    if (zoom && canvas && size) {
      const c = canvas.getBoundingClientRect();
      const k = Number(canvas.dataset.zoom);
      const image = new DOMRect(
        c.left + Number(canvas.dataset.panX),
        c.top + Number(canvas.dataset.panY),
        Number(size[1]) * k,
        Number(size[2]) * k,
      );
      if (overlap(zoom.getBoundingClientRect(), image)) problems.push('the zoom widget covers the image');
    }
    return problems;
  });
}
