import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../../shared/api/errors';
import {
  isOperationName,
  type ApiHandlers,
  type OperationName,
} from '../../../shared/api/operations';
import { parseArgs } from '../../../shared/api/validate';
import type { HttpStation } from './http-station';
import { isJsonContentType, MAX_JSON_BODY_BYTES, readJsonBody } from './json-body';
import { sendResult } from './json-response';
import { refuse } from './refuse';

export const CALL_PREFIX = '/api/call/';

/** POST /api/call/<operation>: JSON arguments in, `{"result": ...}` or `{"error": ...}` out. */
export async function handleCall(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  station: HttpStation,
  jsonBodyTimeoutMs: number,
): Promise<void> {
  try {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return await refuse(req, res, new ApiError('BAD_REQUEST', `Use POST to call ${name}.`), 405);
    }
    if (!isOperationName(name))
      return await refuse(req, res, new ApiError('NOT_FOUND', `Unknown operation "${name}".`));
    if (!isJsonContentType(req))
      return await refuse(
        req,
        res,
        new ApiError('BAD_REQUEST', 'Content-Type must be application/json.'),
        415,
      );
    const input = await readJsonBody(req, MAX_JSON_BODY_BYTES, jsonBodyTimeoutMs);
    const result = await invoke(station.api, name, input);
    sendResult(res, result);
  } catch (error) {
    await refuse(req, res, error);
  }
}

async function invoke<N extends OperationName>(
  api: ApiHandlers,
  name: N,
  input: unknown,
): Promise<unknown> {
  const handler = api[name] as (args: unknown) => Promise<unknown>;
  return handler(parseArgs(name, input));
}
