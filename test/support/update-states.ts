/** The states of an update that goes well, in the order a device reports them (ThingsBoard's). */
export const UPDATE_STATES = [
  'QUEUED',
  'INITIATED',
  'DOWNLOADING',
  'DOWNLOADED',
  'VERIFIED',
  'UPDATING',
  'UPDATED',
];
