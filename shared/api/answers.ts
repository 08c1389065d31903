/**
 * Reading the station's answers, for every client: the HTTP client (browser and CLI), the
 * renderer's XHR upload and the Electron bridge. An answer is `{"result": ...}` or
 * `{"error": {code, message, fields?}}`; an error body becomes the ApiError the station threw.
 */
import { API_ERROR_CODES, ApiError, type ApiErrorBody, type ApiErrorCode } from './errors';

/** The ApiError an error body describes; whatever is missing or malformed gets a safe default. */
export function errorFromBody(body: Partial<ApiErrorBody> | null | undefined): ApiError {
  const code: ApiErrorCode = isErrorCode(body?.code) ? body.code : 'INTERNAL';
  const message =
    typeof body?.message === 'string' ? body.message : 'The station refused the request.';
  const fields =
    body?.fields && typeof body.fields === 'object'
      ? Object.fromEntries(Object.entries(body.fields).map(([k, v]) => [k, String(v)]))
      : undefined;
  return new ApiError(code, message, fields);
}

/** The result of an HTTP answer already received as text, or the ApiError it carries. */
export function parseAnswer(status: number, text: string, statusText = ''): unknown {
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: something other than the station answered; reported below with the status.
  }
  if (isObject(body)) {
    if (status >= 200 && status < 300 && 'result' in body) return body.result;
    if (isObject(body.error)) throw errorFromBody(body.error as Partial<ApiErrorBody>);
  }
  const line = statusText ? `${status} ${statusText}` : String(status);
  throw new ApiError('INTERNAL', `The station answered HTTP ${line} with an unexpected body.`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && (API_ERROR_CODES as readonly string[]).includes(value);
}
