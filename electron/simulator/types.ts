import type { OtaPackageType } from '../../shared/protocol/ota-keys';
import type { DeviceReportedState } from '../../shared/protocol/states';
import type { SimulatedTransport } from './link-factory';

/**
 * Where a simulated device stands. The OTA states are the ones it reports to the server;
 * CONNECTING/CONNECTED/WAITING/TIMEOUT are only known to the simulator.
 */
export type SimulatedDeviceState =
  'CONNECTING' | 'CONNECTED' | 'WAITING' | DeviceReportedState | 'TIMEOUT';

/** Where a device starts: what it reports as current_{fw,sw}_{title,version}. */
export interface InstalledPackages {
  fwTitle: string;
  fwVersion: string;
  swTitle: string;
  swVersion: string;
}

export interface SimulationOptions {
  /** How the devices reach the station (default mqtt). */
  transport?: SimulatedTransport;
  /** The station's device API for that transport, e.g. mqtt://127.0.0.1:1883, http://127.0.0.1:8080. */
  url: string;
  /** Access tokens, one device each. Either this or `count` (+ `tokenPrefix`). */
  tokens?: readonly string[];
  /** Number of devices with tokens `${tokenPrefix}0` .. `${tokenPrefix}${count - 1}`. */
  count?: number;
  tokenPrefix?: string;
  /** Chunk size asked for in every chunk request (default 65536). */
  chunkSize?: number;
  /** MQTT 3.1.1 (4, default) or 5. */
  protocolVersion?: 4 | 5;
  /** QoS of the device's publishes and subscriptions (default 1). */
  qos?: 0 | 1;
  /** Which package types the devices handle (default both). */
  packageTypes?: readonly OtaPackageType[];
  /** Installed packages, for all devices or per token (missing fields default to CIM-168 1.0.0). */
  installed?:
    Partial<InstalledPackages> | ((token: string, index: number) => Partial<InstalledPackages>);
  /** Pretend the checksum failed: report FAILED with fw_error after downloading. */
  failVerify?: boolean;
  /** Drop the connection once, right before chunk N is first requested, then reconnect and resume. */
  dropAtChunk?: number;
  /** Connect and send the Part I telemetry only; never request attributes or download. */
  silent?: boolean;
  /** Connections being opened at the same time (ramp-up; default 50). */
  connectConcurrency?: number;
  /** Whole run bound: devices not done by then are marked TIMEOUT (default 120 s). */
  timeoutMs?: number;
  /** No answer to a chunk request within this time: ask again (default 10 s). */
  chunkTimeoutMs?: number;
  /** Re-requests of one chunk before the update FAILS (default 3). */
  chunkRetries?: number;
  /** Unexpected connection losses a device recovers from before it FAILS (default 5). */
  maxReconnects?: number;
  /** Keep each device connected this long after it is done (default 0), e.g. to watch it online. */
  holdMs?: number;
  /** Stops the run early; unfinished devices are marked TIMEOUT. */
  signal?: AbortSignal;
  /** Live progress: called on every state change of every device. */
  onDeviceState?: (event: DeviceStateEvent) => void;
}

export interface DeviceStateEvent {
  token: string;
  index: number;
  state: SimulatedDeviceState;
  previous: SimulatedDeviceState;
  /** The package type the state belongs to, when it is an OTA state. */
  packageType?: OtaPackageType;
  error?: string;
  bytes: number;
}

export interface DeviceResult {
  token: string;
  state: SimulatedDeviceState;
  error?: string;
  /** Firmware/software bytes received (all updates, all connections). */
  bytes: number;
  /** Chunk responses accepted, the final empty one included. */
  chunks: number;
  /** From the first connection attempt until the device was done. */
  durationMs: number;
  reconnects: number;
  currentFwVersion: string;
  currentSwVersion: string;
  /** Final state per package type that was updated (or failed). */
  fwState?: string;
  swState?: string;
}

export interface SimulationTotals {
  devices: number;
  updated: number;
  failed: number;
  timedOut: number;
  /** Devices that finished as CONNECTED (silent runs). */
  connected: number;
  bytes: number;
  wallMs: number;
  /** Decimal megabytes (10^6 bytes) per second of wall time. */
  mbPerSec: number;
}

export interface SimulationSummary {
  devices: DeviceResult[];
  totals: SimulationTotals;
}
