import type { IncomingMessage, ServerResponse } from 'node:http';

import { ApiError } from '../../../shared/api/errors';
import { PackageMeta } from '../../../shared/api/operations';
import { validationError } from '../../../shared/api/validate';
import type { HttpStation } from './http-station';
import { mediaType } from './json-body';
import { sendResult } from './json-response';
import { refuse } from './refuse';
import { detachableBody } from './request-body';

export const UPLOAD_PATH = '/api/packages/upload';

/** How much of a refused upload we read and throw away so the client gets our answer rather than a reset. */
const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;

/**
 * POST /api/packages/upload?meta=<JSON PackageMeta> with the raw binary as the body.
 * The body streams straight to the station (which hashes and writes it atomically), so a
 * package of any size costs a few buffers of memory, and a client that aborts mid-upload
 * makes that stream error, which the station turns into "nothing imported".
 */
export async function handleUpload(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  station: HttpStation,
): Promise<void> {
  try {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return await refuse(
        req,
        res,
        new ApiError('BAD_REQUEST', 'Use POST to upload a package.'),
        405,
        MAX_DISCARDED_BYTES,
      );
    }
    // Not a type an HTML form can send: a cross-site page can't upload without CORS, which we never grant.
    if (mediaType(req) !== 'application/octet-stream') {
      return await refuse(
        req,
        res,
        new ApiError('BAD_REQUEST', 'Content-Type must be application/octet-stream.'),
        415,
        MAX_DISCARDED_BYTES,
      );
    }
    const meta = parseMeta(url.searchParams.get('meta'));
    const pkg = await station.importPackage(meta, detachableBody(req));
    sendResult(res, pkg);
  } catch (error) {
    if (req.destroyed && !req.complete) return; // the client went away: nobody to answer
    await refuse(req, res, error, undefined, MAX_DISCARDED_BYTES);
  }
}

function parseMeta(raw: string | null): PackageMeta {
  if (raw === null || raw.trim() === '') {
    throw new ApiError(
      'BAD_REQUEST',
      'The "meta" query parameter (package title, version, profile, type, file name) is required.',
      {
        meta: 'is required',
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ApiError('BAD_REQUEST', 'The "meta" query parameter is not valid JSON.', {
      meta: 'is not valid JSON',
    });
  }
  const parsed = PackageMeta.safeParse(json);
  if (!parsed.success) throw validationError('package upload', parsed.error);
  return parsed.data;
}
