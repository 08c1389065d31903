import type { StationStatus } from '../../../../shared/api/entities';

export type LanAddress = StationStatus['mqtt']['lanAddresses'][number];

/** "192.168.1.23:1883 (eth0)": what a technician types into a device's settings, and where. */
export function hostPort(address: LanAddress): string {
  const where = address.url.replace(/^[a-z]+:\/\//, '');
  return address.interface ? `${where} (${address.interface})` : where;
}
