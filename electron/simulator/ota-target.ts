import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  DEFAULT_CHECKSUM_ALGORITHM,
  normalizeChecksum,
} from '../../shared/protocol/checksum-algorithms';
import type { OtaKeys } from '../../shared/protocol/ota-keys';

/** The package a device is told to install, read from its shared attributes. */
export interface OtaTarget {
  title: string;
  version: string;
  size: number | undefined;
  checksum: string | undefined;
  /** As the server sent it; may be unknown to the device. */
  algorithm: string;
}

export function targetFromShared(
  shared: ReadonlyMap<string, unknown>,
  keys: OtaKeys,
): OtaTarget | undefined {
  const title = text(shared.get(keys.title));
  const version = text(shared.get(keys.version));
  if (title === undefined || version === undefined) return undefined;
  const size = Number(shared.get(keys.size));
  return {
    title,
    version,
    size: Number.isSafeInteger(size) && size >= 0 ? size : undefined,
    checksum: text(shared.get(keys.checksum)),
    algorithm: text(shared.get(keys.checksumAlgorithm)) ?? DEFAULT_CHECKSUM_ALGORITHM,
  };
}

export function sameTarget(a: OtaTarget, b: OtaTarget): boolean {
  return (
    a.title === b.title &&
    a.version === b.version &&
    a.size === b.size &&
    a.checksum === b.checksum &&
    a.algorithm === b.algorithm
  );
}

export function checksumAlgorithmOf(target: OtaTarget): ChecksumAlgorithm | undefined {
  const name = target.algorithm.toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name)
    ? (name as ChecksumAlgorithm)
    : undefined;
}

/** The device's verification step; returns the fw_error to report, or undefined when good. */
export function verificationError(
  target: OtaTarget,
  download: { bytes: number; digest: string },
  failVerify: boolean,
): string | undefined {
  const what = `${target.title} ${target.version}`;
  if (target.size !== undefined && download.bytes !== target.size) {
    return `Size does not match for ${what} (expected ${target.size} bytes, got ${download.bytes})`;
  }
  if (target.checksum === undefined) return `No checksum to verify ${what} against`;
  const expected = normalizeChecksum(target.checksum);
  const mismatch = `Checksum does not match for ${what} with ${target.algorithm} (expected ${expected}, got ${download.digest})`;
  if (download.digest !== expected) return mismatch;
  if (failVerify) return `${mismatch} [simulated by failVerify]`;
  return undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
