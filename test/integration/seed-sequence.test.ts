import crypto from 'node:crypto';

import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { nextMessage, startStationFixture, type StationFixture } from '../support/station-fixture';
import { UPDATE_STATES } from '../support/update-states';
import { waitFor } from '../support/wait';

// The seed document's device sequence (Part I and Part II), sent byte for byte by a real
// MQTT.js client, against the real station.
describe.each([4, 5] as const)(
  'the seed sequence over MQTT protocol version %i',
  (protocolVersion) => {
    let fx: StationFixture;
    const firmware = crypto.randomBytes(3_735_576);
    const sha256 = crypto.createHash('sha256').update(firmware).digest('hex');

    beforeEach(async () => {
      fx = await startStationFixture();
    });
    afterEach(async () => {
      await fx.close();
    });

    it('updates CIM-168-02-22-90 from 1.0.0 to 1.0.1', async () => {
      const profile = await fx.profile('CIM-168');
      const device = await fx.device('CIM-168-02-22-90', profile.id);
      const pkg = await fx.packageFrom(firmware, { profileId: profile.id });
      expect(pkg).toMatchObject({
        checksumAlgorithm: 'SHA256',
        checksum: sha256,
        size: 3_735_576,
        tag: 'CIM-168 1.0.1',
      });
      await fx.station.api['assignments.assign']({ deviceId: device.id, packageId: pkg.id });

      const client: MqttClient = await fx.connect(device.accessToken, { protocolVersion });
      const publish = (topic: string, text: string) => client.publishAsync(topic, text, { qos: 1 });

      // Part I
      await publish(
        'v1/devices/me/telemetry',
        '{"current_fw_title":"CIM-168","current_fw_version":"1.0.0"}',
      );
      await client.subscribeAsync('v1/devices/me/attributes/response/+', { qos: 1 });
      const response = nextMessage(client, (t) => t === 'v1/devices/me/attributes/response/1');
      await publish(
        'v1/devices/me/attributes/request/1',
        '{"sharedKeys":"fw_title,fw_version,fw_size,fw_checksum,fw_checksum_algorithm"}',
      );
      const attributes = (await response).payload.toString();
      expect(attributes).toBe(
        `{"shared":{"fw_title":"CIM-168","fw_version":"1.0.1","fw_size":3735576,"fw_checksum":"${sha256}","fw_checksum_algorithm":"SHA256"}}`,
      );
      await client.subscribeAsync('v1/devices/me/attributes', { qos: 1 });

      // Part II, with the seed's own chunk topic form and 8192-byte chunks
      await publish(
        'v1/devices/me/telemetry',
        '{"current_fw_title":"CIM-168","current_fw_version":"1.0.0","fw_state":"DOWNLOADING"}',
      );
      await client.subscribeAsync('v2/fw/response/+/chunk/+', { qos: 1 });
      const received: Buffer[] = [];
      for (let index = 0; ; index++) {
        const chunk = nextMessage(client, (t) => t === `v2/fw/response/7/chunk/${index}`);
        await publish(`v2/fw/chunk/request/7/chunk/${index}`, '8192');
        const { payload } = await chunk;
        if (payload.length === 0) break;
        received.push(payload);
        expect(index).toBeLessThan(500);
      }
      const image = Buffer.concat(received);
      expect(image.length).toBe(3_735_576);
      expect(crypto.createHash('sha256').update(image).digest('hex')).toBe(sha256);
      expect(received.at(-1)?.length).toBe(3_735_576 % 8192);

      for (const state of ['DOWNLOADED', 'VERIFIED', 'UPDATING']) {
        await publish(
          'v1/devices/me/telemetry',
          `{"current_fw_title":"CIM-168","current_fw_version":"1.0.0","fw_state":"${state}"}`,
        );
      }
      await publish(
        'v1/devices/me/telemetry',
        '{"current_fw_title":"CIM-168","current_fw_version":"1.0.1","fw_state":"UPDATED"}',
      );

      const [execution] = await waitFor(async () => {
        const list = await fx.station.api['executions.list']({ deviceId: device.id, limit: 10 });
        return list[0]?.state === 'UPDATED' && list;
      });
      expect(execution?.history.map((h) => h.state)).toEqual(UPDATE_STATES);
      expect(execution?.bytesServed).toBe(3_735_576);
      const after = await fx.station.api['devices.get']({ id: device.id });
      expect(after.firmware).toMatchObject({
        currentTitle: 'CIM-168',
        currentVersion: '1.0.1',
        state: 'UPDATED',
      });
      expect(after.online).toBe(true);
    });
  },
);
