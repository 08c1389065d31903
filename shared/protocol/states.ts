/** OTA states, exactly as devices and the reference server report them. */
export const SERVER_STATES = ['QUEUED', 'INITIATED'] as const;
export const DEVICE_STATES = [
  'DOWNLOADING',
  'DOWNLOADED',
  'VERIFIED',
  'UPDATING',
  'UPDATED',
  'FAILED',
] as const;
/** States only the station sets (beyond the reference server). */
export const STATION_STATES = ['TIMED_OUT', 'CANCELED'] as const;
export const OTA_STATES = [...SERVER_STATES, ...DEVICE_STATES, ...STATION_STATES] as const;
export type OtaState = (typeof OTA_STATES)[number];
export type DeviceReportedState = (typeof DEVICE_STATES)[number];

export const FINAL_STATES: ReadonlySet<OtaState> = new Set([
  'UPDATED',
  'FAILED',
  'TIMED_OUT',
  'CANCELED',
]);

export function isDeviceReportedState(value: unknown): value is DeviceReportedState {
  return typeof value === 'string' && (DEVICE_STATES as readonly string[]).includes(value);
}

/** The reference dashboard's state-to-percentage mapping, used when no byte progress exists. */
export const STATE_PERCENT: Record<OtaState, number> = {
  QUEUED: 0,
  INITIATED: 5,
  DOWNLOADING: 10,
  DOWNLOADED: 55,
  VERIFIED: 60,
  UPDATING: 70,
  FAILED: 99,
  UPDATED: 100,
  TIMED_OUT: 99,
  CANCELED: 0,
};
