import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { formatLogExport, LogFile } from '../../electron/main/log-file';
import { stationLogSections } from '../../electron/main/station-log-sections';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';

const FORGED = '2026-12-05T10:00:00.000Z ERROR forged: cloud password is hunter2';
// eslint-disable-next-line no-control-regex -- looking for raw control characters
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('Help > Export Logs with hostile device strings', () => {
  let fx: StationFixture;
  let dir: string;

  beforeEach(async () => {
    fx = await startStationFixture();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-logs-'));
  });
  afterEach(async () => {
    await fx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows an unauthenticated client id with a newline as one escaped line, forging nothing', async () => {
    const clientId = `sensor-1\n${FORGED}\u001b[2K`;
    await expect(
      mqtt.connectAsync(fx.mqttUrl, {
        clientId,
        username: 'no-such-token',
        reconnectPeriod: 0,
        connectTimeout: 5000,
      }),
    ).rejects.toThrow();
    await waitFor(async () =>
      (await fx.station.api['station.protocolErrors']({ limit: 10 })).some(
        (e) => e.kind === 'bad-token',
      ),
    );
    const log = new LogFile(path.join(dir, 'logs'));
    log.write('warning', `a device said\r${FORGED}`);

    const text = formatLogExport({
      header: { App: 'test' },
      sections: await stationLogSections(fx.station.api),
      mainLog: log.read(),
    });
    const lines = text.split('\n');
    expect(lines.filter((line) => line.startsWith(FORGED))).toEqual([]);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain(`sensor-1\\n${FORGED}\\x1b[2K`);
    expect(text).toContain(`a device said\\r${FORGED}`);
  });
});
