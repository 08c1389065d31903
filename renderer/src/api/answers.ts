import {
  API_ERROR_CODES,
  ApiError,
  type ApiErrorBody,
  type ApiErrorCode,
} from '../../../shared/api/errors';
import type { BridgeAnswer } from './transport';

/** Turns a bridge answer back into the result, or the ApiError the station raised. */
export function unwrapAnswer<T>(answer: BridgeAnswer<T>): T {
  if ('error' in answer) throw apiErrorFrom(answer.error);
  return answer.result;
}

export function apiErrorFrom(body: Partial<ApiErrorBody> | null | undefined): ApiError {
  const code: ApiErrorCode = isErrorCode(body?.code) ? body.code : 'INTERNAL';
  const message =
    typeof body?.message === 'string' ? body.message : 'The station refused the request.';
  const fields =
    body?.fields && typeof body.fields === 'object'
      ? Object.fromEntries(Object.entries(body.fields).map(([k, v]) => [k, String(v)]))
      : undefined;
  return new ApiError(code, message, fields);
}

/** Reads an HTTP answer of the station (`{"result"}` or `{"error"}`) already received as text. */
export function parseHttpAnswer(status: number, text: string): unknown {
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: something other than the station answered; reported below with the status.
  }
  if (isObject(body)) {
    if (status >= 200 && status < 300 && 'result' in body) return body.result;
    if (isObject(body.error)) throw apiErrorFrom(body.error as Partial<ApiErrorBody>);
  }
  throw new ApiError('INTERNAL', `The station answered HTTP ${status} with an unexpected body.`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && (API_ERROR_CODES as readonly string[]).includes(value);
}
