export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface WaitOptions {
  /** Default 5 s. */
  timeoutMs?: number;
  /** What is waited for, named in the error when it never comes. */
  what?: string;
}

/**
 * Waits until `check` returns something truthy, polling every 10 ms, and resolves with it: for
 * state that arrives asynchronously. Bounded: rejects after `timeoutMs`.
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs = 5000, what = 'a condition' }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}
