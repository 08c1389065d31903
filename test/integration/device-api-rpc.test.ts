import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';

import type { StationOptions } from '../../electron/core/station';
import { nextMessage, startStationFixture, type StationFixture } from '../support/station-fixture';
import { protocolErrors, pubackCode, VERSIONS } from './device-api-helpers';

// docs/device-protocol.md#rpc.
describe.each(VERSIONS)('device RPC over MQTT protocol version %i', (version) => {
  let fx: StationFixture;
  afterEach(async () => {
    await fx.close();
  });

  const connect = async (options: Partial<StationOptions> = {}) => {
    fx = await startStationFixture(options);
    const profile = await fx.profile();
    const device = await fx.device('A', profile.id);
    return fx.connect(device.accessToken, { protocolVersion: version });
  };
  const call = async (client: MqttClient, id: string, payload: string) => {
    const response = nextMessage(client, (t) => t === `v1/devices/me/rpc/response/${id}`);
    expect(await pubackCode(client, `v1/devices/me/rpc/request/${id}`, payload)).toBe(0);
    return (await response).payload.toString();
  };

  it('answers getSessionLimits as the ThingsBoard SDK expects', async () => {
    const client = await connect();
    await client.subscribeAsync('v1/devices/me/rpc/response/+', { qos: 1 });
    expect(await call(client, '1', '{"method":"getSessionLimits","params":{"timeout":5000}}')).toBe(
      '{"maxPayloadSize":524288,"maxInflightMessages":100,' +
        '"rateLimits":{"telemetryMessages":"20:1,600:60,6000:3600","telemetryDataPoints":"200:1,6000:60,60000:3600"}}',
    );
  });

  it('reports a lowered chunk cap as maxPayloadSize, also to a device subscribed to nothing', async () => {
    const client = await connect({ maxChunkBytes: 4096 });
    expect(await call(client, '17', '{"method":"getSessionLimits","params":{}}')).toBe(
      '{"maxPayloadSize":4096,"maxInflightMessages":100,' +
        '"rateLimits":{"telemetryMessages":"20:1,600:60,6000:3600","telemetryDataPoints":"200:1,6000:60,60000:3600"}}',
    );
  });

  it('answers an unknown method with an error object and records it', async () => {
    const client = await connect();
    expect(await call(client, '2', '{"method":"reboot","params":{}}')).toBe(
      '{"error":"Unsupported RPC method: reboot"}',
    );
    expect(await call(client, '3', '{"params":{}}')).toBe(
      '{"error":"Unsupported RPC method: (none)"}',
    );
    expect(await call(client, '4', '[1,2]')).toBe('{"error":"Unsupported RPC method: (none)"}');
    const errors = await protocolErrors(fx);
    expect(errors.filter((e) => e.kind === 'unsupported-rpc')).toHaveLength(3);
    // The session is still there for the next call.
    expect(await call(client, '5', '{"method":"getSessionLimits"}')).toContain('"maxPayloadSize"');
  });
});
