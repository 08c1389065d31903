import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { curl, curlInBackground, httpDeviceBase } from '../support/curl';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { binary, protocolErrors, sha256, telemetryHistory } from './device-api-helpers';

// docs/device-protocol.md#http-device-api: ThingsBoard's DeviceApiController, spoken by curl.
describe('the HTTP device API, with curl', () => {
  let fx: StationFixture;
  let profileId: string;
  let deviceId: string;
  let token: string;
  let api: string;

  beforeEach(async () => {
    fx = await startStationFixture({ telemetryLimits: { telemetryMessages: '20:60' } });
    profileId = (await fx.profile('CIM-168')).id;
    const device = await fx.device('CIM-168-02-22-90', profileId);
    deviceId = device.id;
    token = device.accessToken;
    api = `${httpDeviceBase(fx.station)}/api/v1/${token}`;
  });
  afterEach(async () => {
    await fx.close();
  });

  const post = (resource: string, body: string, extra: string[] = []) =>
    curl([
      '-X',
      'POST',
      '-H',
      'Content-Type: application/json',
      '--data-binary',
      body,
      ...extra,
      `${api}/${resource}`,
    ]);
  const errorsOf = async (kind: string) =>
    (await protocolErrors(fx)).filter((e) => e.kind === kind);

  it('stores the telemetry forms, and fw_state moves the delivery as over MQTT', async () => {
    const pkg = await fx.packageFrom(binary(5000), { profileId, version: '1.0.1' });
    await fx.station.api['assignments.assign']({ deviceId, packageId: pkg.id });
    for (const body of [
      '{"flat":"v"}',
      '[{"arr1":1},{"arr2":2}]',
      '{"ts":1451649600512,"values":{"tsForm":"v"}}',
      '{"fw_state":"DOWNLOADING"}',
    ]) {
      const answer = await post('telemetry', body);
      expect(answer.status, body).toBe(200);
      expect(answer.body.length, body).toBe(0);
    }
    expect(telemetryHistory(fx, deviceId, 'tsForm')).toEqual([{ ts: 1451649600512, value: 'v' }]);
    expect(telemetryHistory(fx, deviceId, 'arr2')).toHaveLength(1);
    const device = await fx.station.api['devices.get']({ id: deviceId });
    expect(device.firmware.state).toBe('DOWNLOADING');
  });

  it('refuses an unknown token with 401 and no body, recorded as bad-token', async () => {
    const answer = await curl([
      '-X',
      'POST',
      '--data-binary',
      '{"a":1}',
      `${httpDeviceBase(fx.station)}/api/v1/NOSUCHTOKEN123/telemetry`,
    ]);
    expect(answer.status).toBe(401);
    expect(answer.body.length).toBe(0);
    const [error] = await errorsOf('bad-token');
    expect(error?.message).toContain('NOSU…');
    expect(error?.message).not.toContain('NOSUCHTOKEN123');
  });

  it('answers malformed JSON with 400 and the reason (ThingsBoard: 500), naming the device', async () => {
    const answer = await post('telemetry', '{"fw_state":');
    expect(answer.status).toBe(400);
    const body = JSON.parse(answer.body.toString()) as { status: number; message: string };
    expect(body.status).toBe(400);
    expect(body.message).toMatch(/JSON/i);
    const errors = (await protocolErrors(fx)).filter((e) => e.deviceId === deviceId);
    expect(errors.map((e) => e.kind)).toContain('invalid-json');

    const notAnObject = await post('attributes', '[1,2]');
    expect(notAnObject.status).toBe(400);
  });

  it('stores client attributes and answers attribute requests as ThingsBoard', async () => {
    const firmware = binary(4321);
    const pkg = await fx.packageFrom(firmware, { profileId, version: '1.0.1' });
    await fx.station.api['assignments.assign']({ deviceId, packageId: pkg.id });
    expect((await post('attributes', '{"model":"X","serial":7}')).status).toBe(200);

    const some = await curl([
      `${api}/attributes?clientKeys=model&sharedKeys=fw_title,fw_size,fw_checksum`,
    ]);
    expect(some.status).toBe(200);
    expect(JSON.parse(some.body.toString())).toEqual({
      client: { model: 'X' },
      shared: { fw_title: 'CIM-168', fw_size: 4321, fw_checksum: sha256(firmware) },
    });
    const all = JSON.parse((await curl([`${api}/attributes`])).body.toString()) as {
      client: object;
      shared: object;
    };
    expect(all.client).toEqual({ model: 'X', serial: 7 });
    expect(all.shared).toMatchObject({ fw_version: '1.0.1', fw_checksum_algorithm: 'SHA256' });
    const none = await curl([`${api}/attributes?clientKeys=nothing`]);
    expect(JSON.parse(none.body.toString())).toEqual({});
  });

  it('answers getSessionLimits on POST rpc, and takes replies on POST rpc/{id}', async () => {
    const limits = await post('rpc', '{"method":"getSessionLimits","params":{}}');
    expect(limits.status).toBe(200);
    expect(JSON.parse(limits.body.toString())).toMatchObject({
      maxPayloadSize: 524288,
      maxInflightMessages: 100,
      rateLimits: { telemetryMessages: '20:60' },
    });
    const unknown = await post('rpc', '{"method":"reboot"}');
    expect(JSON.parse(unknown.body.toString())).toEqual({
      error: 'Unsupported RPC method: reboot',
    });
    expect((await post('rpc/17', '{"ok":true}')).status).toBe(200);
    const badId = await post('rpc/seventeen', '{}');
    expect(badId.status).toBe(400);
    expect(badId.body.toString()).toContain('integer');
  });

  it('ends an RPC poll and an attribute poll that hear nothing with 408, empty', async () => {
    const started = Date.now();
    const [rpc, updates] = await Promise.all([
      curl([`${api}/rpc?timeout=400`]),
      curl([`${api}/attributes/updates?timeout=400`]),
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    for (const answer of [rpc, updates]) {
      expect(answer.status).toBe(408);
      expect(answer.body.length).toBe(0);
    }
    const bad = await curl([`${api}/attributes/updates?timeout=soon`]);
    expect(bad.status).toBe(400);
  });

  it('answers a waiting attribute poll with the assignment, deletions and values at once', async () => {
    const firmware = binary(4321);
    const pkg = await fx.packageFrom(firmware, { profileId, version: '1.0.1' });
    const poll = curlInBackground([`${api}/attributes/updates?timeout=20000`]);
    await waitFor(async () =>
      (await fx.station.api['station.sessions']({})).some((s) => s.deviceId === deviceId),
    );
    await fx.station.api['assignments.assign']({ deviceId, packageId: pkg.id });
    const answer = await poll.done;
    expect(answer.status).toBe(200);
    const change = JSON.parse(answer.body.toString()) as Record<string, unknown>;
    expect(change).toMatchObject({
      fw_title: 'CIM-168',
      fw_version: '1.0.1',
      fw_size: 4321,
      fw_checksum: sha256(firmware),
      deleted: ['fw_url'],
    });
  });

  it('refuses oversized bodies (413), wrong methods (405), unknown routes (404), too fast (429)', async () => {
    const big = await post('telemetry', JSON.stringify({ blob: 'x'.repeat(70_000) }));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body.toString())).toBe('Payload size exceeds the limit of 65536 bytes');
    const wrongMethod = await curl([`${api}/telemetry`]);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
    const unknown = await curl([`${api}/claim-everything`]);
    expect(unknown.status).toBe(404);
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await post('telemetry', `{"n":${i}}`)).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    const kinds = (await protocolErrors(fx)).map((e) => e.kind);
    for (const kind of ['message-too-large', 'wrong-method', 'unknown-route', 'rate-limit'])
      expect(kinds, kind).toContain(kind);
    // Still answering after all that.
    expect((await post('telemetry', '{"still":"here"}')).status).toBe(429);
    expect((await curl([`${api}/attributes`])).status).toBe(200);
  });
});
