import crypto from 'node:crypto';

import type { Device, Package } from '../../../shared/api/entities';
import { uploadPackage } from '../../../shared/api/http-client';
import type { ApiClient } from '../../../shared/api/operations';
import { type LocalStation, stationAuth } from '../../support/station-client';

/** The seed's firmware, CIM-168 1.0.1, of `bytes` random bytes, uploaded as the CLI does. */
export function uploadSeedFirmware(
  station: LocalStation,
  profileId: string,
  bytes: number,
): Promise<Package> {
  return uploadPackage(
    station.httpUrl,
    {
      title: 'CIM-168',
      version: '1.0.1',
      profileId,
      type: 'FIRMWARE',
      fileName: 'cim168-1.0.1.bin',
    },
    new Uint8Array(crypto.randomBytes(bytes)),
    stationAuth(station),
  );
}

/** Devices of one profile, added in the order of their names. */
export async function addDevices(
  api: ApiClient,
  profileId: string,
  names: readonly string[],
): Promise<Device[]> {
  const devices: Device[] = [];
  for (const name of names) devices.push(await api.call('devices.add', { name, profileId }));
  return devices;
}
