import type { OtaPackageType } from '../protocol/ota-keys';

/**
 * A device's or a profile's firmware or software, by package type: devices and profiles keep
 * the two side by side as `firmware` and `software`.
 */
export function slotOf<T>(holder: { firmware: T; software: T }, type: OtaPackageType): T {
  return type === 'FIRMWARE' ? holder.firmware : holder.software;
}
