import crypto from 'node:crypto';

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

import type { Device, Package } from '../../../shared/api/entities';
import { uploadPackage } from '../../../shared/api/http-client';
import type { ApiClient } from '../../../shared/api/operations';
import { type LocalStation, stationAuth } from '../../support/station-client';
import { stationApi } from './api';
import { launchBrowser } from './browser';
import { startStationProcess, type StationProcess } from './station-process';

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

/** `count` device names in the seed's pattern: CIM-168-02-22-00, CIM-168-02-22-01, … */
export function fleetNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `CIM-168-02-22-${String(i).padStart(2, '0')}`);
}

export interface Fleet {
  station: StationProcess;
  api: ApiClient;
  browser: Browser;
  firmware: Package;
  devices: Device[];
}

/**
 * For the tests of one describe block: a headless station with device profile CIM-168, its
 * firmware CIM-168 1.0.1 of `firmwareBytes` and devices of those names, and a
 * browser; all closed after the block. Read it in a later hook or in the tests.
 */
export function fleetScene(firmwareBytes: number, names: readonly string[]): () => Fleet {
  let station: StationProcess | undefined;
  let browser: Browser | undefined;
  let fleet: Fleet | undefined;
  beforeAll(async () => {
    station = await startStationProcess();
    const api = stationApi(station);
    const profile = await api.call('profiles.add', { name: 'CIM-168' });
    const firmware = await uploadSeedFirmware(station, profile.id, firmwareBytes);
    const devices = await addDevices(api, profile.id, names);
    browser = await launchBrowser();
    fleet = { station, api, browser, firmware, devices };
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await station?.stop();
  });
  return () => {
    if (!fleet) throw new Error('the fleet is read after its beforeAll');
    return fleet;
  };
}
