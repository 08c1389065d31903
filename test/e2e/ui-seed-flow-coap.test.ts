import { describe, expect, it } from 'vitest';

import { addSeedDevice, assignSeedFirmware, SEED_DEVICE } from '../support/seed-device-dialogs';
import { UPDATE_STATES } from '../support/update-states';
import { screenshot } from './support/browser';
import {
  addSeedPackage,
  expectShownUpdated,
  seedDevice,
  seedFlowScene,
  seedUpdateRow,
  stateOf,
  updateSeedDevice,
  updateTimeline,
} from './support/seed-flow';

// The seed's console flow in the browser with a device that speaks CoAP instead of MQTT: the
// technician does exactly the same; the device updates over UDP; the UI, fed by pushed events,
// shows it, and the Station page shows the CoAP endpoint and the device on it.
describe('the seed console flow with a CoAP device', () => {
  const scene = seedFlowScene('field-ota-ui-coap-');

  it('assigns CIM-168 1.0.1 in the UI and shows the CoAP device updated', async () => {
    const { page, problems, station, firmware, file } = scene();

    await addSeedPackage(page, file);
    await addSeedDevice(page);
    await assignSeedFirmware(page);
    const updateRow = await seedUpdateRow(page);

    const summary = await updateSeedDevice(await seedDevice(station), {
      transport: 'coap',
      url: station.coapUrl,
      timeoutMs: 60_000,
    });
    expect(summary.devices[0]).toMatchObject({ state: 'UPDATED', bytes: firmware.length });

    // Byte progress counted per CoAP block, states moved by telemetry POSTed over CoAP.
    await expectShownUpdated(updateRow);
    expect((await updateTimeline(page)).map(stateOf)).toEqual(UPDATE_STATES);

    // The Station page: where CoAP devices reach the station, and this one among the
    // connected devices (present for a while after its last request), over CoAP.
    await page.getByRole('link', { name: 'Station' }).click();
    const card = page.getByRole('region', { name: 'Where devices connect' });
    await card.waitFor();
    expect(await card.innerText()).toContain('CoAP');
    expect(await card.innerText()).toContain(station.coapUrl);
    const connected = page
      .getByRole('region', { name: 'Connected devices table' })
      .getByRole('row')
      .filter({ hasText: SEED_DEVICE });
    await expect.poll(() => connected.innerText()).toContain('CoAP');
    await screenshot(page, 'station-coap');

    expect(problems).toEqual([]);
  }, 120_000);
});
