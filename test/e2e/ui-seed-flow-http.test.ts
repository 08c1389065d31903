import { describe, expect, it } from 'vitest';

import { addSeedDevice, assignSeedFirmware, SEED_DEVICE } from '../support/seed-device-dialogs';
import { screenshot } from './support/browser';
import {
  addSeedPackage,
  expectShownUpdated,
  seedDevice,
  seedFlowScene,
  seedUpdateRow,
  updateSeedDevice,
} from './support/seed-flow';

// The seed's console steps in the UI, then a device that speaks ThingsBoard's HTTP device API
// (not MQTT) updates: the same Monitor, Devices page and device details show it, with how it
// reached the station; the Station page says where HTTP devices connect.
describe('the seed console flow in the browser, with an HTTP device', () => {
  const scene = seedFlowScene('field-ota-ui-http-');

  it('updates CIM-168-02-22-90 over HTTP and shows it, and the HTTP endpoint', async () => {
    const { page, problems, station, file } = scene();

    // The Station page lists every device API with its address.
    await page.getByRole('link', { name: 'Station' }).click();
    const endpoints = page.getByRole('region', { name: 'Where devices connect' });
    await endpoints.waitFor();
    const endpointText = await endpoints.innerText();
    expect(endpointText).toContain('MQTT');
    expect(endpointText).toContain(station.mqttUrl);
    expect(endpointText).toContain('HTTP');
    expect(endpointText).toContain(station.httpDeviceUrl);
    await screenshot(page, 'station-device-endpoints');

    await addSeedPackage(page, file);
    await addSeedDevice(page);
    await page.getByRole('row', { name: new RegExp(SEED_DEVICE) }).waitFor();
    await assignSeedFirmware(page);
    const updateRow = await seedUpdateRow(page);

    const device = await seedDevice(station);
    expect(device.lastTransport).toBeNull();
    const summary = await updateSeedDevice(device, {
      transport: 'http',
      url: station.httpDeviceUrl,
      chunkSize: 16_384,
      timeoutMs: 30_000,
    });
    expect(summary.totals.updated).toBe(1);
    await expectShownUpdated(updateRow);

    await page.getByRole('link', { name: 'Devices' }).click();
    const updatedRow = page.getByRole('row', { name: new RegExp(SEED_DEVICE) });
    await expect.poll(() => updatedRow.innerText()).toContain('UPDATED');
    expect(await updatedRow.innerText()).toContain('HTTP');
    await page.getByRole('button', { name: `Details of ${SEED_DEVICE}` }).click();
    const drawer = page.getByRole('complementary', { name: `Device ${SEED_DEVICE}` });
    await expect.poll(() => drawer.innerText()).toMatch(/Last transport\s*HTTP/);
    await screenshot(page, 'device-over-http');

    expect(problems).toEqual([]);
  }, 90_000);
});
