/**
 * The query of `GET /api/v1/{token}/firmware?title=T&version=V[&size=S&chunk=N]` (and
 * `/software`). `title` and `version` are required; `size` and `chunk` are integers that
 * default to 0, as ThingsBoard's controller declares them. A size of 0 or less asks for the
 * whole file (chunk ignored), again as ThingsBoard answers.
 */
export type OtaQuery =
  | { ok: true; title: string; version: string; size: number; chunk: number }
  | { ok: false; message: string };

/** Java's int, which ThingsBoard parses these into: anything beyond it is a 400 there too. */
const INT_MAX = 2 ** 31 - 1;
const INTEGER = /^[+-]?\d{1,10}$/;

export function parseOtaQuery(params: URLSearchParams): OtaQuery {
  const title = params.get('title');
  const version = params.get('version');
  if (title === null) return { ok: false, message: "Required parameter 'title' is missing" };
  if (version === null) return { ok: false, message: "Required parameter 'version' is missing" };
  const size = integerParam(params, 'size');
  if (typeof size === 'string') return { ok: false, message: size };
  const chunk = integerParam(params, 'chunk');
  if (typeof chunk === 'string') return { ok: false, message: chunk };
  // ThingsBoard's in-memory cache fails a negative chunk with a 500: a bad request it is.
  if (size > 0 && chunk < 0) return { ok: false, message: `chunk must not be negative (${chunk})` };
  return { ok: true, title, version, size, chunk };
}

/** The value, or the message saying why it is not an int. */
function integerParam(params: URLSearchParams, name: string): number | string {
  const text = params.get(name);
  const trimmed = text?.trim() ?? '';
  // Absent or empty: the default, as Spring binds an empty parameter.
  if (trimmed === '') return 0;
  const value = Number(trimmed);
  if (!INTEGER.test(trimmed) || Math.abs(value) > INT_MAX + (value < 0 ? 1 : 0))
    return `Parameter '${name}' must be an integer, got "${truncate(trimmed)}"`;
  return value;
}

function truncate(text: string): string {
  return text.length > 32 ? `${text.slice(0, 32)}…` : text;
}
