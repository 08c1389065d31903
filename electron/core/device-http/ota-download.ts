/**
 * `GET /api/v1/{token}/firmware|software?title=T&version=V[&size=S&chunk=N]`: a chunk
 * `[size·chunk, size·chunk+size)` as on MQTT (empty past the end), or with no size the whole
 * file, where a `Range` header resumes it (206, 416 when it cannot be met).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { DeviceCaller, Download } from '../device-api/device-service';
import { describeError } from '../guarded';
import { contentRange, parseRange } from './byte-range';
import { sendBadRequest, sendEmpty, sendRefusal, sendTooLarge } from './device-response';
import { type HttpDeviceContext, recordRefusal } from './http-device-context';
import { parseOtaQuery } from './ota-query';
import { firstPiece, streamDownload } from './stream-download';

export async function serveDownload(
  ctx: HttpDeviceContext,
  caller: DeviceCaller,
  type: OtaPackageType,
  req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams,
): Promise<void> {
  const what = type.toLowerCase();
  const query = parseOtaQuery(params);
  if (!query.ok) {
    recordRefusal(ctx, caller, 'bad-request', `GET ${what}: ${query.message}`);
    return sendBadRequest(res, query.message);
  }
  const maxChunkBytes = ctx.service.sessionLimits().maxPayloadSize;
  if (query.size > maxChunkBytes) {
    recordRefusal(
      ctx,
      caller,
      'chunk-too-large',
      `GET ${what}: chunk size ${query.size} is over the station's limit of ${maxChunkBytes} bytes`,
    );
    return sendTooLarge(res, maxChunkBytes);
  }
  const opened = await ctx.service.openDownload(caller, type, {
    title: query.title,
    version: query.version,
  });
  if (!opened.ok) return sendRefusal(res, opened.refusal, opened.message, maxChunkBytes);
  const download = opened.value;
  const headers = downloadHeaders(download);
  let start: number;
  let end: number;
  let status = 200;
  if (query.size > 0) {
    start = Math.min(download.size, query.size * query.chunk);
    end = Math.min(download.size, start + query.size);
  } else {
    const range = parseRange(rangeHeader(req), download.size);
    headers['Accept-Ranges'] = 'bytes';
    if (range.kind === 'unsatisfiable') {
      recordRefusal(
        ctx,
        caller,
        'range-not-satisfiable',
        `GET ${what}: Range "${truncate(rangeHeader(req) ?? '')}" is beyond the ${download.size} bytes of ${download.title} ${download.version}`,
      );
      return sendEmpty(res, 416, { 'Content-Range': contentRange(range, download.size) });
    }
    start = range.kind === 'range' ? range.start : 0;
    end = range.kind === 'range' ? range.end : download.size;
    if (range.kind === 'range') {
      status = 206;
      headers['Content-Range'] = contentRange(range, download.size);
    }
  }
  let first: Buffer;
  try {
    first = await firstPiece(download, start, end);
  } catch (error) {
    recordReadError(ctx, caller, download, error);
    return sendRefusal(
      res,
      'unavailable',
      `Could not read ${download.title} ${download.version}`,
      0,
    );
  }
  res.writeHead(status, { ...headers, 'Content-Length': String(end - start) });
  const outcome = await streamDownload(res, download, start, end, first, ctx.limits.stallMs);
  if (outcome === 'stalled')
    recordRefusal(
      ctx,
      caller,
      'download-stalled',
      `GET ${what}: the device took no bytes for ${ctx.limits.stallMs} ms; connection closed`,
    );
  else if (typeof outcome === 'object') recordReadError(ctx, caller, download, outcome.readError);
}

/** ThingsBoard's headers: the package's type, and its file name twice. */
function downloadHeaders(download: Download): Record<string, string> {
  const fileName = headerSafe(download.fileName);
  return {
    'Content-Type': headerSafe(download.contentType) || 'application/octet-stream',
    'Content-Disposition': `attachment;filename=${fileName}`,
    'x-filename': fileName,
  };
}

/** Header values must be Latin-1 without control characters: anything else becomes `_`. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e\xa0-\xff]/g, '_');
}

function rangeHeader(req: IncomingMessage): string | undefined {
  // If-Range asks for the range only if the file is unchanged; with no validator to compare,
  // the whole file is the safe answer (RFC 9110 §13.1.5).
  if (req.headers['if-range'] !== undefined) return undefined;
  return req.headers.range;
}

function recordReadError(
  ctx: HttpDeviceContext,
  caller: DeviceCaller,
  download: Download,
  error: unknown,
): void {
  recordRefusal(
    ctx,
    caller,
    'read-error',
    `Could not read ${download.title} ${download.version}: ${describeError(error)}`,
  );
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
