import path from 'node:path';

import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DATABASE_FILE_NAME } from '../../electron/core/storage/database';
import type { Package } from '../../shared/api/entities';
import {
  recordMessages,
  startStationFixture,
  type StationFixture,
} from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { binary, sha256, telemetryHistory, VERSIONS } from './device-api-helpers';

// docs/device-protocol.md#shared-attribute-push and #firmware-assignment.
describe.each(VERSIONS)('assignment push over MQTT protocol version %i', (version) => {
  let fx: StationFixture;
  let profileId: string;
  let deviceId: string;
  let token: string;
  let client: MqttClient;
  let pushes: { topic: string; payload: Buffer }[];
  const fwBytes = binary(4321);
  const swBytes = binary(1234, 3);

  beforeEach(async () => {
    fx = await startStationFixture();
    profileId = (await fx.profile('CIM-168')).id;
    const device = await fx.device('CIM-168-02-22-90', profileId);
    deviceId = device.id;
    token = device.accessToken;
    client = await fx.connect(token, { protocolVersion: version });
    await client.subscribeAsync('v1/devices/me/attributes', { qos: 1 });
    pushes = recordMessages(client);
  });
  afterEach(async () => {
    await fx.close();
  });

  const firmware = () => fx.packageFrom(fwBytes, { profileId, version: '1.0.1' });
  const software = () =>
    fx.packageFrom(swBytes, { profileId, title: 'app', version: '2.4', type: 'SOFTWARE' });
  const assign = (pkg: Package) =>
    fx.station.api['assignments.assign']({ deviceId, packageId: pkg.id });
  const texts = async (count: number) => {
    await waitFor(() => pushes.length >= count);
    return pushes.map((m) => {
      expect(m.topic).toBe('v1/devices/me/attributes');
      return m.payload.toString();
    });
  };

  it('pushes {"deleted":["fw_url"]} then the flat values, fw_size a number', async () => {
    const pkg = await firmware();
    await assign(pkg);
    const [deleted, values] = await texts(2);
    expect(deleted).toBe('{"deleted":["fw_url"]}');
    const fwTs = (JSON.parse(values ?? '') as { fw_ts: number }).fw_ts;
    expect(values).toBe(
      `{"fw_title":"CIM-168","fw_version":"1.0.1","fw_tag":"CIM-168 1.0.1","fw_ts":${fwTs},"fw_size":4321,"fw_checksum_algorithm":"SHA256","fw_checksum":"${sha256(fwBytes)}"}`,
    );
    expect(pushes).toHaveLength(2);
  });

  it('deletes fw_tag too when the package has no tag', async () => {
    const pkg = await firmware();
    // A package synced from the cloud may have no tag; the import always sets one.
    const db = new Database(path.join(fx.dataDir, DATABASE_FILE_NAME));
    db.prepare("UPDATE packages SET tag = '' WHERE id = ?").run(pkg.id);
    db.close();
    await assign(pkg);
    const [deleted, values] = await texts(2);
    expect(deleted).toBe('{"deleted":["fw_tag","fw_url"]}');
    expect(Object.keys(JSON.parse(values ?? '') as object)).toEqual([
      'fw_title',
      'fw_version',
      'fw_ts',
      'fw_size',
      'fw_checksum_algorithm',
      'fw_checksum',
    ]);
    const shared = (await fx.station.api['devices.get']({ id: deviceId })).sharedAttributes;
    expect(shared).not.toHaveProperty('fw_tag');
  });

  it('stores target_fw_* telemetry and fw_state QUEUED then INITIATED', async () => {
    const pkg = await firmware();
    const execution = await assign(pkg);
    const target = Object.fromEntries(
      (await fx.station.api['devices.get']({ id: deviceId })).latestTelemetry.map((t) => [
        t.key,
        t.value,
      ]),
    );
    expect(target).toEqual({
      target_fw_title: 'CIM-168',
      target_fw_version: '1.0.1',
      target_fw_tag: 'CIM-168 1.0.1',
      target_fw_ts: expect.any(Number),
      fw_state: 'INITIATED',
    });
    expect(telemetryHistory(fx, deviceId, 'fw_state').map((h) => h.value)).toEqual([
      'QUEUED',
      'INITIATED',
    ]);
    expect(execution.history.map((h) => h.state)).toEqual(['QUEUED', 'INITIATED']);
  });

  it('un-assignment pushes the deletion of every fw_ key', async () => {
    await assign(await firmware());
    await texts(2);
    await fx.station.api['assignments.unassign']({ deviceId, type: 'FIRMWARE' });
    const all = await texts(3);
    expect(all[2]).toBe(
      '{"deleted":["fw_title","fw_version","fw_ts","fw_state","fw_size","fw_checksum","fw_checksum_algorithm","fw_url","fw_tag"]}',
    );
    const detail = await fx.station.api['devices.get']({ id: deviceId });
    expect(detail.sharedAttributes).toEqual({});
    expect(detail.firmware.assignedPackageId).toBeNull();
  });

  it('a software package uses the sw_ keys', async () => {
    const pkg = await software();
    await assign(pkg);
    const [deleted, values] = await texts(2);
    expect(deleted).toBe('{"deleted":["sw_url"]}');
    const swTs = (JSON.parse(values ?? '') as { sw_ts: number }).sw_ts;
    expect(values).toBe(
      `{"sw_title":"app","sw_version":"2.4","sw_tag":"app 2.4","sw_ts":${swTs},"sw_size":1234,"sw_checksum_algorithm":"SHA256","sw_checksum":"${sha256(swBytes)}"}`,
    );
    expect(telemetryHistory(fx, deviceId, 'sw_state').map((h) => h.value)).toEqual([
      'QUEUED',
      'INITIATED',
    ]);
    expect(telemetryHistory(fx, deviceId, 'target_sw_version').map((h) => h.value)).toEqual([
      '2.4',
    ]);
    await fx.station.api['assignments.unassign']({ deviceId, type: 'SOFTWARE' });
    expect((await texts(3))[2]).toBe(
      '{"deleted":["sw_title","sw_version","sw_ts","sw_state","sw_size","sw_checksum","sw_checksum_algorithm","sw_url","sw_tag"]}',
    );
  });

  it('assigning the same package again changes nothing; after a failure it is sent again', async () => {
    const pkg = await firmware();
    const first = await assign(pkg);
    await texts(2);
    const again = await assign(pkg);
    expect(again.id).toBe(first.id);
    await client.publishAsync('v1/devices/me/telemetry', '{"fw_state":"FAILED","fw_error":"x"}', {
      qos: 1,
    });
    // The telemetry's PUBACK came after any push the second assign could have made.
    expect(pushes).toHaveLength(2);
    const retry = await assign(pkg);
    expect(retry.id).not.toBe(first.id);
    expect(retry.history.map((h) => h.state)).toEqual(['QUEUED', 'INITIATED']);
    const all = await texts(4);
    expect(all[2]).toBe('{"deleted":["fw_url"]}');
    expect(all[3]).toContain('"fw_version":"1.0.1"');
  });

  it('a session that did not subscribe to v1/devices/me/attributes gets no push', async () => {
    const quiet = await fx.connect(token, { protocolVersion: version });
    const seen = recordMessages(quiet);
    await quiet.subscribeAsync('v1/devices/me/attributes/response/+', { qos: 1 });
    await assign(await firmware());
    await texts(2);
    // A request on the quiet session now: the push would have been queued before its answer.
    const answer = new Promise<void>((resolve) => quiet.once('message', () => resolve()));
    await quiet.publishAsync('v1/devices/me/attributes/request/1', '{"sharedKeys":"fw_version"}');
    await answer;
    expect(seen.map((m) => m.topic)).toEqual(['v1/devices/me/attributes/response/1']);
  });
});
