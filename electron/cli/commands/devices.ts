import { Command } from 'commander';

import type { Device, OtaSlot } from '../../../shared/api/entities';
import { STATE_PERCENT } from '../../../shared/protocol/states';
import { connect, type ConnectionOptions, withConnectionOptions } from '../connection';
import { printJson, printTable } from '../output';

export function devicesCommand(): Command {
  return withConnectionOptions(
    new Command('devices').description('list devices with their OTA state'),
  ).action(async (options: ConnectionOptions) => {
    const { client } = connect(options);
    const devices = await client.call('devices.list', {});
    if (options.json) printJson(devices);
    else printDevices(devices);
  });
}

function printDevices(devices: readonly Device[]): void {
  printTable(
    ['NAME', 'PROFILE', 'ONLINE', 'CURRENT FW', 'CURRENT SW', 'ASSIGNED', 'OTA STATE', 'PROGRESS'],
    devices.map((d) => [
      d.name,
      d.profileName,
      d.online ? 'yes' : 'no',
      current(d.firmware),
      current(d.software),
      perSlot(d, (slot) =>
        slot.assignedTitle ? `${slot.assignedTitle}@${slot.assignedVersion ?? '?'}` : null,
      ),
      perSlot(d, (slot) => slot.state),
      perSlot(d, progress),
    ]),
    'No devices yet: add one with field-ota device add --name NAME --profile PROFILE.',
  );
}

function current(slot: OtaSlot): string {
  return slot.currentTitle || slot.currentVersion
    ? `${slot.currentTitle ?? '?'} ${slot.currentVersion ?? '?'}`
    : '-';
}

/** Firmware and software share a column: "FW x, SW y", or just the value when only firmware is in play. */
function perSlot(device: Device, value: (slot: OtaSlot) => string | null): string {
  const fw = value(device.firmware);
  const sw = value(device.software);
  if (sw === null) return fw ?? '-';
  return `FW ${fw ?? '-'}, SW ${sw}`;
}

/** Bytes served when known (a chunk re-sent doesn't count twice); else the reference dashboard's state percentage. */
export function progress(slot: OtaSlot): string | null {
  if (slot.state === null) return null;
  if (slot.state === 'DOWNLOADING' && slot.size > 0)
    return `${Math.min(100, Math.floor((slot.bytesServed / slot.size) * 100))}%`;
  return `${STATE_PERCENT[slot.state]}%`;
}
