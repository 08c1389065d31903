import { ApiError } from '../../../shared/api/errors';
import { anyCloudLinked } from '../repositories/cloud-columns';
import type { SyncSettings } from '../repositories/sync-settings';
import type { Db } from '../storage/database';
import { CloudClient, normalizeCloudUrl } from './cloud-client';
import { CloudHttpError, CloudNetworkError, describeCloudError } from './cloud-errors';
import type { CloudSession, StoredSession } from './session';

export interface SignInContext {
  settings: SyncSettings;
  db: Db;
  session: CloudSession;
  idleTimeoutMs: number;
}

/**
 * Signs in with a password and keeps the session's tokens (never the password). A station whose
 * data came from one cloud stays with it. Refusals are ApiErrors naming the form's field.
 */
export async function signIn(
  ctx: SignInContext,
  url: string,
  username: string,
  password: string,
): Promise<StoredSession> {
  let baseUrl: string;
  try {
    baseUrl = normalizeCloudUrl(url);
  } catch (error) {
    throw new ApiError('BAD_REQUEST', (error as Error).message, { url: 'is not a valid URL' });
  }
  const bound = ctx.settings.get('cloud.boundUrl');
  if (bound && bound !== baseUrl && anyCloudLinked(ctx.db))
    throw new ApiError(
      'CONFLICT',
      `This station's data was synced with ${bound}; sign in there, or use another data folder for ${baseUrl}`,
      { url: 'belongs to another cloud' },
    );
  let tokens;
  try {
    tokens = await CloudClient.once(baseUrl, { idleTimeoutMs: ctx.idleTimeoutMs }).login(
      username,
      password,
    );
  } catch (error) {
    if (error instanceof CloudHttpError && error.status === 401)
      throw new ApiError('UNAUTHORIZED', 'The cloud refused this username and password', {
        password: 'refused',
      });
    if (error instanceof CloudNetworkError)
      throw new ApiError(
        'BAD_REQUEST',
        `The cloud at ${baseUrl} is not reachable (${error.code ?? error.message}): check the address and the connection`,
        {
          url: 'not reachable',
        },
      );
    throw new ApiError('BAD_REQUEST', `Sign-in failed: ${describeCloudError(error)}`);
  }
  const session = {
    url: baseUrl,
    username,
    token: tokens.token,
    refreshToken: tokens.refreshToken,
  };
  await ctx.session.start(session);
  ctx.settings.set('cloud.url', baseUrl);
  ctx.settings.set('cloud.username', username);
  ctx.settings.set('cloud.boundUrl', baseUrl);
  return session;
}
