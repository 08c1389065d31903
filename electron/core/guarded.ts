/**
 * Work run from a timer or an event listener has no caller to hand an error to: thrown, it would
 * end the whole station (one device's flood of connections exhausting descriptors must not stop
 * every other device's update). Such work goes through guarded(): the error is logged and the
 * station goes on; the next tick or event tries again.
 */
import util from 'node:util';

/** The error's message with its system error name (EMFILE...) when Node only gave a number. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, info } = error as NodeJS.ErrnoException & { info?: { errno?: unknown } };
  const errno = typeof info?.errno === 'number' ? info.errno : undefined;
  const name = errno !== undefined ? safeErrorName(errno) : undefined;
  const tag = name ?? (typeof code === 'string' && code !== 'ERR_SYSTEM_ERROR' ? code : undefined);
  return tag && !error.message.includes(tag) ? `${error.message} (${tag})` : error.message;
}

function safeErrorName(errno: number): string | undefined {
  try {
    return util.getSystemErrorName(errno > 0 ? -errno : errno);
  } catch {
    return undefined;
  }
}

/** Logs a failure of background work on stderr (the station's log when run headless). */
export function logBackgroundError(what: string, error: unknown): void {
  try {
    console.error(`field-ota: ${what} failed: ${describeError(error)}`);
  } catch {
    // stderr itself gone (a closed pipe): nothing left to tell.
  }
}

/** Wraps a timer callback or listener so that its errors are logged, never thrown. */
export function guarded<A extends unknown[]>(
  what: string,
  work: (...args: A) => void,
): (...args: A) => void {
  return (...args: A) => {
    try {
      work(...args);
    } catch (error) {
      logBackgroundError(what, error);
    }
  };
}
