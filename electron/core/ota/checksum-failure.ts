import type { ChecksumAlgorithm } from '../../../shared/protocol/checksum-algorithms';

/**
 * Algorithms whose checksum ThingsBoard writes as fixed-width hex, and that ThingsBoard's device
 * SDK (verify_checksum) and the firmware script in its docs compare with leading zeros dropped:
 * a checksum starting with 00 never matches on such a device.
 */
const SHORTENED_BY_THE_SDK: ReadonlySet<ChecksumAlgorithm> = new Set([
  'CRC32',
  'MURMUR3_32',
  'MURMUR3_128',
]);

/** How devices word a failed integrity check in fw_error / sw_error. */
const CHECKSUM_WORDS = /checksum|crc|murmur|hash|digest|integrity/i;

/**
 * The failure text for a device's FAILED report. When the package is one the SDK cannot verify
 * and the device says (or may have meant) that its checksum check failed, it says why and what
 * to do: the device would otherwise download and fail again for ever.
 */
export function failureText(
  reported: string | null,
  pkg: { checksumAlgorithm: ChecksumAlgorithm; checksum: string } | undefined,
): string {
  const text = reported ?? 'The device reported FAILED without fw_error';
  if (!pkg || !SHORTENED_BY_THE_SDK.has(pkg.checksumAlgorithm) || !pkg.checksum.startsWith('00'))
    return text;
  const why =
    `The package's ${pkg.checksumAlgorithm} checksum starts with 00 (${pkg.checksum}): ` +
    "ThingsBoard's device SDK and the firmware script in its docs drop the leading zero when " +
    'they compare it, so this device fails the check however often it downloads. To update it, ' +
    're-add the package with SHA256 and assign that.';
  if (reported !== null && CHECKSUM_WORDS.test(reported)) return `${withStop(reported)} ${why}`;
  if (reported === null) return `${withStop(text)} If it failed its checksum check: ${why}`;
  return text;
}

function withStop(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}
