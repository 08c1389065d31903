import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';

import type { RequestBody } from '../http-request';

/**
 * A multipart/form-data body with one file part, streamed from disk: a 16 MiB image is never
 * held in memory, and a retry simply reads the file again.
 */
export function multipartFile(
  field: string,
  fileName: string,
  contentType: string,
  filePath: string,
  size: number,
): RequestBody {
  const boundary = `----FieldOtaBoundary${randomBytes(12).toString('hex')}`;
  const safeName = fileName.replace(/["\r\n]/g, '_');
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${safeName}"\r\nContent-Type: ${contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + size + tail.length,
    open: () =>
      Readable.from(
        (async function* () {
          yield head;
          let sent = 0;
          for await (const chunk of fs.createReadStream(filePath) as AsyncIterable<Buffer>) {
            sent += chunk.length;
            // The file changed under us: better a clear error than a body of the wrong length.
            if (sent > size)
              throw new Error(`${filePath} is larger than the ${size} bytes recorded`);
            yield chunk;
          }
          if (sent !== size) throw new Error(`${filePath} has ${sent} bytes instead of ${size}`);
          yield tail;
        })(),
      ),
  };
}
