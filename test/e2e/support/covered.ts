import type { Page } from 'playwright-core';

/**
 * Every visible control (button, link, field, table row) whose middle is covered by something
 * else, named by its text or label: what a technician could not click. Controls inside the
 * `except` selector (the covering layer itself, e.g. the toasts) are not checked.
 */
export function coveredControls(page: Page, except: string): Promise<string[]> {
  return page.evaluate((exceptSelector) => {
    const controls = document.querySelectorAll<HTMLElement>(
      'button, a[href], input, select, textarea, [role="row"], tr',
    );
    const covered: string[] = [];
    for (const control of controls) {
      if (control.closest(exceptSelector)) continue;
      const box = control.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const x = box.left + box.width / 2;
      const y = box.top + box.height / 2;
      if (x < 0 || y < 0 || x >= window.innerWidth || y >= window.innerHeight) continue;
      // Hidden or inert (under a modal dialog's backdrop) controls are not the point here.
      if (getComputedStyle(control).visibility === 'hidden' || control.closest('[inert]')) continue;
      const dialog = document.querySelector('dialog[open]');
      if (dialog && !dialog.contains(control)) continue;
      // Scrolled out of a scrolling box (a dialog's body, a table): not covered, just scrolled.
      let clipped = false;
      for (let box = control.parentElement; box && !clipped; box = box.parentElement) {
        if (getComputedStyle(box).overflowY === 'visible') continue;
        const visible = box.getBoundingClientRect();
        clipped = y < visible.top || y > visible.bottom || x < visible.left || x > visible.right;
      }
      if (clipped) continue;
      const top = document.elementFromPoint(x, y);
      if (!top) continue;
      if (control === top || control.contains(top)) continue;
      // Scrolled out of its table or page (an ancestor is on top): not covered, just scrolled.
      if (top.contains(control)) continue;
      const name =
        control.getAttribute('aria-label') ?? control.textContent?.trim().slice(0, 60) ?? '';
      covered.push(`${control.tagName.toLowerCase()} "${name}" under ${top.className}`);
    }
    return covered;
  }, except);
}

/**
 * Every visible control (as above) whose box overlaps a box of `over` (the toasts): stricter
 * than covered middles, no corner of a button may lie under a toast. Controls inside `over`,
 * inert ones and those outside an open modal dialog are not counted.
 */
export function controlsUnder(page: Page, over: string): Promise<string[]> {
  return page.evaluate((overSelector) => {
    const layers = [...document.querySelectorAll<HTMLElement>(overSelector)]
      .map((element) => element.getBoundingClientRect())
      .filter((box) => box.width > 0 && box.height > 0);
    const dialog = document.querySelector('dialog[open]');
    const under: string[] = [];
    const controls = document.querySelectorAll<HTMLElement>(
      'button, a[href], input, select, textarea, [role="row"], tr',
    );
    for (const control of controls) {
      if (control.closest(overSelector) || control.closest('[inert]')) continue;
      if (dialog && !dialog.contains(control)) continue;
      if (getComputedStyle(control).visibility === 'hidden') continue;
      const box = control.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const overlaps = layers.some(
        (layer) =>
          box.left < layer.right &&
          layer.left < box.right &&
          box.top < layer.bottom &&
          layer.top < box.bottom,
      );
      if (!overlaps) continue;
      const name =
        control.getAttribute('aria-label') ?? control.textContent?.trim().slice(0, 60) ?? '';
      under.push(`${control.tagName.toLowerCase()} "${name}"`);
    }
    return under;
  }, over);
}

/** Where the page's parts are (tables, toolbars, buttons): to see that nothing moved. */
export function layoutOf(page: Page, scope = 'main'): Promise<string[]> {
  return page.evaluate((scopeSelector) => {
    const root = document.querySelector(scopeSelector);
    if (!root) return [];
    return [...root.querySelectorAll<HTMLElement>('[role="region"], .toolbar, button, input')]
      .filter((element) => !element.closest('.toast'))
      .map((element) => {
        const box = element.getBoundingClientRect();
        const name = element.getAttribute('aria-label') ?? element.textContent?.trim() ?? '';
        return `${name.slice(0, 40)} @ ${Math.round(box.left)},${Math.round(box.top)}`;
      });
  }, scope);
}
