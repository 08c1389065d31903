import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Package } from '../../shared/api/entities';
import {
  nextMessage,
  recordMessages,
  startStationFixture,
  type StationFixture,
} from '../support/station-fixture';
import { binary, pubackCode, sha256, VERSIONS } from './device-api-helpers';

// docs/device-protocol.md#client-attributes and #attribute-requests.
describe.each(VERSIONS)('attributes over MQTT protocol version %i', (version) => {
  let fx: StationFixture;
  let deviceId: string;
  let pkg: Package;
  let client: MqttClient;
  const firmware = binary(35_576);

  beforeEach(async () => {
    fx = await startStationFixture();
    const profileId = (await fx.profile('CIM-168')).id;
    const device = await fx.device('CIM-168-02-22-90', profileId);
    deviceId = device.id;
    pkg = await fx.packageFrom(firmware, { profileId, version: '1.0.1' });
    await fx.station.api['assignments.assign']({ deviceId, packageId: pkg.id });
    client = await fx.connect(device.accessToken, { protocolVersion: version });
    await client.subscribeAsync('v1/devices/me/attributes/response/+', { qos: 1 });
  });
  afterEach(async () => {
    await fx.close();
  });

  /** Sends an attribute request and returns the response text. */
  const ask = async (id: string, payload: string): Promise<string> => {
    const response = nextMessage(client, (t) => t === `v1/devices/me/attributes/response/${id}`);
    expect(await pubackCode(client, `v1/devices/me/attributes/request/${id}`, payload)).toBe(0);
    return (await response).payload.toString();
  };

  const publishClientAttributes = async (payload: string) => {
    expect(await pubackCode(client, 'v1/devices/me/attributes', payload)).toBe(0);
  };

  it('stores client attributes per device, later values replacing earlier ones', async () => {
    await publishClientAttributes('{"a":1,"b":"x","c":{"d":[true,null]}}');
    await publishClientAttributes(' { "a" : 2 } ');
    const detail = await fx.station.api['devices.get']({ id: deviceId });
    expect(detail.clientAttributes).toEqual({ a: 2, b: 'x', c: { d: [true, null] } });
  });

  describe('attribute requests', () => {
    let fwTs: number;
    beforeEach(async () => {
      await publishClientAttributes('{"a":1,"b":"x","serial":"02-22-90"}');
      const shared = (await fx.station.api['devices.get']({ id: deviceId })).sharedAttributes;
      fwTs = shared.fw_ts as number;
    });

    it('clientKeys only: the client group, in the order asked', async () => {
      expect(await ask('1', '{"clientKeys":"b,a"}')).toBe('{"client":{"b":"x","a":1}}');
    });

    it('sharedKeys only: the shared group, fw_size a JSON number', async () => {
      expect(
        await ask(
          '2',
          '{"sharedKeys":"fw_title,fw_version,fw_size,fw_checksum,fw_checksum_algorithm"}',
        ),
      ).toBe(
        `{"shared":{"fw_title":"CIM-168","fw_version":"1.0.1","fw_size":35576,"fw_checksum":"${sha256(firmware)}","fw_checksum_algorithm":"SHA256"}}`,
      );
    });

    it('both groups', async () => {
      expect(await ask('3', '{ "clientKeys" : "serial" , "sharedKeys" : "fw_version" }')).toBe(
        '{"client":{"serial":"02-22-90"},"shared":{"fw_version":"1.0.1"}}',
      );
    });

    const everything = () => ({
      client: { a: 1, b: 'x', serial: '02-22-90' },
      shared: {
        fw_title: 'CIM-168',
        fw_version: '1.0.1',
        fw_tag: 'CIM-168 1.0.1',
        fw_ts: fwTs,
        fw_size: 35576,
        fw_checksum_algorithm: 'SHA256',
        fw_checksum: sha256(firmware),
      },
    });

    it('{} asks for every attribute', async () => {
      expect(JSON.parse(await ask('4', '{}'))).toEqual(everything());
    });

    it('an empty payload asks for every attribute, like {}', async () => {
      expect(JSON.parse(await ask('5', ''))).toEqual(everything());
    });

    it('a group with no match is left out', async () => {
      expect(await ask('6', '{"clientKeys":"nope","sharedKeys":"fw_title,nope"}')).toBe(
        '{"shared":{"fw_title":"CIM-168"}}',
      );
      expect(await ask('7', '{"clientKeys":"a","sharedKeys":"nope"}')).toBe('{"client":{"a":1}}');
    });

    it('nothing matching answers {}', async () => {
      expect(await ask('8', '{"clientKeys":"x","sharedKeys":"y"}')).toBe('{}');
      expect(await ask('9', '{"clientKeys":""}')).toBe('{}');
    });

    it('answers on .../response/{id} with the id as sent', async () => {
      const seen = recordMessages(client);
      expect(await ask('007', '{"sharedKeys":"fw_title"}')).toBe(
        '{"shared":{"fw_title":"CIM-168"}}',
      );
      expect(await ask('4294967296', '{"clientKeys":"a"}')).toBe('{"client":{"a":1}}');
      expect(seen.map((m) => m.topic)).toEqual([
        'v1/devices/me/attributes/response/007',
        'v1/devices/me/attributes/response/4294967296',
      ]);
    });

    it('a device that subscribed to nothing still gets its answer', async () => {
      await client.unsubscribeAsync('v1/devices/me/attributes/response/+');
      expect(await ask('10', '{"clientKeys":"a"}')).toBe('{"client":{"a":1}}');
    });
  });

  it('subscribing to v1/devices/me/attributes sends no snapshot', async () => {
    const seen = recordMessages(client);
    await client.subscribeAsync('v1/devices/me/attributes', { qos: 1 });
    // The session answers in order: anything sent on subscribing would arrive before this.
    expect(await ask('11', '{"sharedKeys":"fw_version"}')).toBe(
      '{"shared":{"fw_version":"1.0.1"}}',
    );
    expect(seen.map((m) => m.topic)).toEqual(['v1/devices/me/attributes/response/11']);
  });
});
