import type { Locator } from 'playwright-core';
import { expect } from 'vitest';

/**
 * The end of a text cut in the middle (MiddleText) is on screen, whole, inside its cell: what
 * was cut is the middle. `cut` is the `.middle-text` element.
 */
export async function expectEndReadable(cut: Locator, text: string, what: string): Promise<void> {
  expect(await cut.textContent(), what).toBe(text);
  const tail = cut.locator('.middle-tail');
  const tailBox = (await tail.boundingBox())!;
  const cellBox = (await cut.locator('xpath=ancestor::*[self::td or self::th][1]').boundingBox())!;
  expect(await tail.isVisible(), what).toBe(true);
  expect(text.endsWith((await tail.textContent()) ?? '-'), what).toBe(true);
  expect(tailBox.x + tailBox.width, what).toBeLessThanOrEqual(cellBox.x + cellBox.width + 0.5);
  expect(tailBox.x, what).toBeGreaterThanOrEqual(cellBox.x);
}
