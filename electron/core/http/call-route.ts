import type { IncomingMessage, ServerResponse } from 'node:http';

import { ApiError } from '../../../shared/api/errors';
import { isOperationName } from '../../../shared/api/operations';
import { dispatch } from '../api/dispatch';
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
    const result = await dispatch(station.api, name, input);
    sendResult(res, result);
  } catch (error) {
    await refuse(req, res, error);
  }
}
