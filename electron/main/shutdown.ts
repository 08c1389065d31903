/**
 * Runs the shutdown once, however many quit requests arrive (menu, Ctrl+C, last window), and
 * never longer than `timeoutMs`: a stuck close must not keep the app from exiting.
 */
export function shutdownOnce(
  steps: () => Promise<void>,
  timeoutMs: number,
  onTimeout: () => void,
): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        onTimeout();
        resolve();
      }, timeoutMs);
      steps()
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(timer);
          resolve();
        });
    });
    return running;
  };
}
