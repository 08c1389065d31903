import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { stationArgs } from '../../support/cli-args';
import {
  type RunningStation,
  startStationProcess as startCliStation,
  stopStation,
} from '../../support/cli-process';

export interface StationProcessOptions {
  /** Reuse a data folder (a restarted station); by default a new temporary one. */
  dataDir?: string;
  /** Default 0 (any free port). */
  httpPort?: number;
  mqttPort?: number;
  /** Default 0 (any free port): a fixed MQTT port must not make the station claim 5683. */
  coapPort?: number;
  /** Keep the data folder on stop (to start again on it). */
  keepDataDir?: boolean;
}

export interface StationProcess {
  /** e.g. http://127.0.0.1:43121 */
  httpUrl: string;
  /** The address the station printed for a browser, with its per-start secret (…/?token=…). */
  uiUrl: string;
  /** e.g. mqtt://127.0.0.1:40123 */
  mqttUrl: string;
  /** The HTTP device API, e.g. http://127.0.0.1:40124 */
  httpDeviceUrl: string;
  /** e.g. coap://127.0.0.1:40124 */
  coapUrl: string;
  dataDir: string;
  /** The station's process id (to stop and continue it: a frozen station). */
  pid: number;
  /** Everything the station wrote to stderr (for failure messages). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * The real headless station (`node bin/field-ota.js station`) on a temporary data folder
 * and free ports, as a technician would start it. Needs `npm run build` first.
 * Spawning and the ready line are the CLI tests' (one home); this adds the data folder's lifetime.
 */
export async function startStationProcess(
  options: StationProcessOptions = {},
): Promise<StationProcess> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-e2e-'));
  const keep = options.keepDataDir ?? false;
  let station: RunningStation;
  try {
    station = await startCliStation(
      stationArgs(dataDir, {
        mqtt: options.mqttPort,
        http: options.httpPort,
        coap: options.coapPort ?? 0,
      }),
    );
  } catch (error) {
    if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    httpUrl: station.httpUrl,
    uiUrl: station.uiUrl,
    mqttUrl: station.mqttUrl,
    httpDeviceUrl: station.httpDeviceUrl,
    coapUrl: station.coapUrl,
    dataDir,
    pid: station.child.pid ?? 0,
    stderr: station.stderr,
    stop: async () => {
      await stopStation(station, 5_000);
      if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
