import { createHash } from 'node:crypto';

import { normalizeChecksum } from '../../../shared/protocol/checksum-algorithms';
import type { CloudPackageInfo } from './cloud-types';

/**
 * The name a package's partial download is kept under: its cloud id AND the bytes it must end
 * up as (checksum algorithm, checksum, size). If the cloud's package changes its binary, the key
 * changes, so a resume never appends the new binary's tail to the old binary's head.
 */
export function partialKey(info: CloudPackageInfo): string {
  const id = /^[A-Za-z0-9-]{1,64}$/.test(info.id.id) ? info.id.id : sha256Hex(info.id.id, 32);
  const identity = [
    info.checksumAlgorithm ?? '',
    normalizeChecksum(info.checksum ?? ''),
    info.dataSize ?? '',
  ].join('\n');
  return `${id}.${sha256Hex(identity, 32)}`;
}

function sha256Hex(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
