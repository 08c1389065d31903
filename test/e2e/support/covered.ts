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
