import { ApiError, type ApiErrorBody } from '../../../shared/api/errors';
import type { Log } from '../log';
import { storageProblem } from '../storage-problem';

export const INTERNAL_ERROR_MESSAGE =
  'Internal error in the station (the details are in its log: Help > Export logs in the app).';

/**
 * The body a caller gets for a failure, whichever transport carried the call. ApiErrors say what
 * to do and go out as they are; a full disk says so; anything else is a bug: its stack goes to
 * the log and the caller gets a generic sentence (stacks reveal file paths and internals, and
 * help nobody in the field).
 */
export function toErrorBody(error: unknown, log: Log, context: string): ApiErrorBody {
  if (error instanceof ApiError) return error.toBody();
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  // The stack of a system or SQLite error does not name its code (ENOSPC, SQLITE_FULL...).
  const code = (error as { code?: unknown } | null | undefined)?.code;
  log('error', `${context} failed${typeof code === 'string' ? ` (${code})` : ''}: ${detail}`);
  return storageProblem(error)?.toBody() ?? { code: 'INTERNAL', message: INTERNAL_ERROR_MESSAGE };
}
