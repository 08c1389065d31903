import { InvalidArgumentError } from 'commander';

import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
} from '../../shared/protocol/checksum-algorithms';
import { OTA_PACKAGE_TYPES, type OtaPackageType } from '../../shared/protocol/ota-keys';
import { parseRateLimit } from '../core/device-api/rate-limit';

/** commander argument parsers: reject bad values with a message before anything runs. */

export function integerIn(min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

export const port = integerIn(0, 65_535);

/** A rate limit in ThingsBoard's "N:seconds[,N:seconds...]" form, as devices are told it. */
export function rateLimit(value: string): string {
  try {
    parseRateLimit(value);
  } catch {
    throw new InvalidArgumentError('expected N:seconds[,N:seconds...], e.g. 20:1,600:60.');
  }
  return value.trim();
}

export function packageType(value: string): OtaPackageType {
  return oneOf(value, OTA_PACKAGE_TYPES);
}

export function checksumAlgorithm(value: string): ChecksumAlgorithm {
  return oneOf(value, CHECKSUM_ALGORITHMS);
}

/** Case-insensitive: "firmware" is as clear as "FIRMWARE". */
function oneOf<T extends string>(value: string, allowed: readonly T[]): T {
  const upper = value.trim().toUpperCase();
  const found = allowed.find((a) => a === upper);
  if (!found) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}.`);
  return found;
}
