/** Events the station pushes to the UI (no polling). */
import { z } from 'zod';

import {
  CloudLogEntry,
  CloudStatus,
  Device,
  Execution,
  Job,
  Package,
  Profile,
  ProtocolErrorEntry,
  StationStatus,
} from './entities';

export const events = {
  'device.changed': Device,
  'device.connection': z.object({
    deviceId: z.string(),
    deviceName: z.string(),
    online: z.boolean(),
    at: z.number(),
  }),
  /** Batched: a flush carries every execution that changed since the last one. */
  'executions.changed': z.array(Execution),
  /** Jobs whose status or figures changed. */
  'jobs.changed': z.array(Job),
  'package.changed': Package,
  'package.removed': z.object({ id: z.string() }),
  /** A device profile's firmware or software changed. */
  'profile.changed': Profile,
  'protocol.error': ProtocolErrorEntry,
  'station.status': StationStatus,
  /**
   * Sent every few seconds while anyone listens: a UI that hears nothing for longer knows the
   * station is stuck (a frozen process keeps its socket open, so the connection alone can't say).
   */
  'station.heartbeat': z.object({ at: z.number() }),
  /** The sync's state: connection, activity (progress), pending counts, conflicts. */
  'cloud.status': CloudStatus,
  /** One line of the sync log, as it is written. */
  'cloud.log': CloudLogEntry,
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<N extends EventName> = z.output<Events[N]>;
export type StationEvent = { [N in EventName]: { type: N; payload: EventPayload<N> } }[EventName];
