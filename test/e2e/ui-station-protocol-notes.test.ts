import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseArgs } from '../../shared/api/validate';
import { stationApi } from './support/api';
import { openUiPage, type PageInBrowser } from './support/browser';
import { startStationProcess, type StationProcess } from './support/station-process';

// Devices on ThingsBoard's SDK subscribe to v2/fw/response/+ on every connection. The Station
// page lists that once per device as information, apart from the errors a technician must read.
describe('the Station page protocol list', () => {
  let station: StationProcess;
  let browser: Browser;
  let watched: PageInBrowser;
  let page: Page;

  beforeAll(async () => {
    station = await startStationProcess();
    watched = await openUiPage(station.uiUrl, 'station', 'Station');
    ({ browser, page } = watched);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
  });

  it('shows an SDK subscription as a note, once per device, and a real refusal as an error', async () => {
    const api = stationApi(station);
    const profile = await api.call('profiles.add', parseArgs('profiles.add', { name: 'SDK' }));
    const device = await api.call(
      'devices.add',
      parseArgs('devices.add', { name: 'sdk-device-1', profileId: profile.id }),
    );
    for (let i = 0; i < 3; i++) {
      const client = await mqtt.connectAsync(station.mqttUrl, {
        username: device.accessToken,
        reconnectPeriod: 0,
      });
      await client.subscribeAsync('v2/fw/response/+', { qos: 1 }).catch(() => undefined);
      if (i === 2)
        await client.subscribeAsync('v1/devices/me/#', { qos: 1 }).catch(() => undefined);
      await client.endAsync();
    }
    const table = page.getByRole('table');
    const note = table.getByRole('row', { name: /sdk-subscription/ });
    await note.waitFor();
    expect(await note.count()).toBe(1);
    expect(await note.innerText()).toContain('Information');
    expect(await note.innerText()).toContain('changes nothing');
    const refusal = table.getByRole('row', { name: /subscription-refused/ });
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('Error');
    expect(await refusal.innerText()).toContain("'v1/devices/me/#'");
  });
});
