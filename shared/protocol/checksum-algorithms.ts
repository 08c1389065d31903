/** Checksum algorithms of docs/device-protocol.md#checksums; SHA256 is the default. */
export const CHECKSUM_ALGORITHMS = [
  'MD5',
  'SHA256',
  'SHA384',
  'SHA512',
  'CRC32',
  'MURMUR3_32',
  'MURMUR3_128',
] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
export const DEFAULT_CHECKSUM_ALGORITHM: ChecksumAlgorithm = 'SHA256';

/** Length in hex digits of each algorithm's digest, to reject a malformed expected checksum early. */
export const CHECKSUM_HEX_LENGTH: Record<ChecksumAlgorithm, number> = {
  MD5: 32,
  SHA256: 64,
  SHA384: 96,
  SHA512: 128,
  CRC32: 8,
  MURMUR3_32: 8,
  MURMUR3_128: 32,
};

/** Checksums are lowercase hex without `0x`; users paste them in any case. */
export function normalizeChecksum(value: string): string {
  return value.trim().toLowerCase().replace(/^0x/, '');
}
