import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll } from 'vitest';

import { stationArgs, type StationPorts } from './cli-args';
import {
  ensureBuilt,
  PROCESS_TEST_TIMEOUT_MS,
  type RunningStation,
  startStationProcess,
  stopStation,
} from './cli-process';

export interface CliStation {
  station: RunningStation;
  /** A temporary folder of the block's own; the station's data is in its `data` folder. */
  tempDir: string;
}

/**
 * `field-ota station` started once for a describe block, as a technician starts it, on a new
 * temporary folder; stopped and removed after the block. `ports` is asked when it starts.
 */
export function cliStation(
  tempPrefix: string,
  ports: () => StationPorts | Promise<StationPorts> = () => ({}),
): () => CliStation {
  let started: CliStation | undefined;
  let tempDir: string | undefined;
  beforeAll(async () => {
    await ensureBuilt();
    tempDir = await mkdtemp(path.join(os.tmpdir(), tempPrefix));
    const station = await startStationProcess(
      stationArgs(path.join(tempDir, 'data'), await ports()),
    );
    started = { station, tempDir };
  }, PROCESS_TEST_TIMEOUT_MS);
  afterAll(async () => {
    if (started) await stopStation(started.station);
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });
  return () => {
    if (!started) throw new Error('the CLI station is read inside a test');
    return started;
  };
}
