import { ApiError, type ApiErrorBody } from '../../shared/api/errors';
import { storageProblem } from '../core/storage-problem';

export type LogLevel = 'info' | 'warning' | 'error';
export type Log = (level: LogLevel, message: string) => void;

export const INTERNAL_ERROR_MESSAGE =
  'Internal error in the station (details are in the log: Help > Export logs).';

/**
 * The body the renderer gets for a failure. ApiErrors say what to do and go out as they are;
 * anything else is a bug: its stack goes to the log, the page gets a generic sentence
 * (stacks reveal file paths and internals, and help nobody in the field).
 */
export function errorBody(error: unknown, log: Log, context: string): ApiErrorBody {
  if (error instanceof ApiError) return error.toBody();
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  // The stack of a system or SQLite error does not name its code (ENOSPC, SQLITE_FULL...).
  const code = (error as { code?: unknown } | null | undefined)?.code;
  log('error', `${context} failed${typeof code === 'string' ? ` (${code})` : ''}: ${detail}`);
  return storageProblem(error)?.toBody() ?? { code: 'INTERNAL', message: INTERNAL_ERROR_MESSAGE };
}
