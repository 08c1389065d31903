import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';

import { parseAnswer } from '../../shared/api/answers';
import type { Package } from '../../shared/api/entities';
import { StationUnreachableError } from '../../shared/api/http-client';
import type { PackageMetaInput } from '../../shared/api/operations';

/**
 * Streams a file to POST /api/packages/upload with node:http rather than fetch: Node 20's fetch
 * kept every chunk of a streamed request body alive until the upload ended (measured: ~570 MB
 * of memory for a 500 MB package), while a piped request holds a few buffers whatever the size.
 */
export function uploadFile(
  stationUrl: string,
  meta: PackageMetaInput,
  file: string,
  size: number,
  token?: string,
): Promise<Package> {
  const url = new URL(
    `${stationUrl}/api/packages/upload?meta=${encodeURIComponent(JSON.stringify(meta))}`,
  );
  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(size),
    Accept: 'application/json',
  };
  if (token) headers.Authorization = `Bearer ${token}`;

  return new Promise<Package>((resolve, reject) => {
    let answered = false;
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers,
    });
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      // The station stopped while sending its answer: what arrived is no answer.
      res.on('error', (error) => reject(new StationUnreachableError(stationUrl, error)));
      res.on('close', () => {
        if (!res.complete) reject(new StationUnreachableError(stationUrl, new Error('aborted')));
      });
      res.on('end', () => {
        try {
          resolve(
            parseAnswer(
              res.statusCode ?? 500,
              Buffer.concat(parts).toString('utf8'),
              res.statusMessage ?? '',
            ) as Package,
          );
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    // Once the station has answered (say, a refusal before the whole file was sent) its answer is what counts.
    req.on('error', (error) => {
      if (!answered) reject(new StationUnreachableError(stationUrl, error));
    });
    pipeline(createReadStream(file), req).catch(() => {
      // Reported through the request's 'error' or the station's answer above.
    });
  });
}
