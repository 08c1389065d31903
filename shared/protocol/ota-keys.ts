/** Attribute and telemetry keys of the OTA scheme (docs/device-protocol.md#firmware-assignment). */
export const OTA_PACKAGE_TYPES = ['FIRMWARE', 'SOFTWARE'] as const;
export type OtaPackageType = (typeof OTA_PACKAGE_TYPES)[number];

export interface OtaKeys {
  title: string;
  version: string;
  tag: string;
  size: string;
  checksumAlgorithm: string;
  checksum: string;
  url: string;
  ts: string;
  state: string;
  error: string;
  currentTitle: string;
  currentVersion: string;
  targetTitle: string;
  targetVersion: string;
  targetTag: string;
  targetTs: string;
}

function keysFor(p: 'fw' | 'sw'): OtaKeys {
  return {
    title: `${p}_title`,
    version: `${p}_version`,
    tag: `${p}_tag`,
    size: `${p}_size`,
    checksumAlgorithm: `${p}_checksum_algorithm`,
    checksum: `${p}_checksum`,
    url: `${p}_url`,
    ts: `${p}_ts`,
    state: `${p}_state`,
    error: `${p}_error`,
    currentTitle: `current_${p}_title`,
    currentVersion: `current_${p}_version`,
    targetTitle: `target_${p}_title`,
    targetVersion: `target_${p}_version`,
    targetTag: `target_${p}_tag`,
    targetTs: `target_${p}_ts`,
  };
}

export const FW_KEYS = keysFor('fw');
export const SW_KEYS = keysFor('sw');

export function otaKeys(type: OtaPackageType): OtaKeys {
  return type === 'FIRMWARE' ? FW_KEYS : SW_KEYS;
}

/** What un-assignment deletes from the shared attributes, in TB's order. */
export function unassignDeletedKeys(type: OtaPackageType): string[] {
  const k = otaKeys(type);
  return [k.title, k.version, k.ts, k.state, k.size, k.checksum, k.checksumAlgorithm, k.url, k.tag];
}
