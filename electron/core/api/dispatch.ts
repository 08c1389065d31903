import { ApiError } from '../../../shared/api/errors';
import { type ApiHandlers, isOperationName } from '../../../shared/api/operations';
import { parseArgs } from '../../../shared/api/validate';

/**
 * Runs one API operation for a transport (IPC or HTTP): the name must be one of the contract's,
 * the input must pass the operation's schema, then the handler runs. Both transports call this,
 * so an operation behaves the same whichever carried it.
 */
export async function dispatch(api: ApiHandlers, name: unknown, input: unknown): Promise<unknown> {
  if (typeof name !== 'string' || !isOperationName(name))
    throw new ApiError('NOT_FOUND', `Unknown operation "${String(name).slice(0, 100)}".`);
  const handler = api[name] as (args: unknown) => Promise<unknown>;
  return handler(parseArgs(name, input));
}
