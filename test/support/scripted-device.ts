import type { MqttClient } from 'mqtt';

import type { StationFixture } from './station-fixture';

/** What a scripted device does with its Nth delivery of a firmware. */
export type Behaviour = 'update' | 'fail' | 'stall' | 'wrong-version';

export interface ScriptedDevice {
  client: MqttClient;
  /** Deliveries acted on so far (each push of a new or re-sent firmware counts). */
  readonly attempts: number;
  /** Deliveries that arrived while one was still running (a ThingsBoard device ignores those). */
  readonly ignoredWhileBusy: number;
  /** Errors a delivery met while the connection was meant to be open (none in a healthy run). */
  readonly errors: readonly Error[];
}

/**
 * A device written for ThingsBoard, scripted per delivery: it requests its shared attributes on
 * connect, acts on every push that names fw_title/fw_version other than what it runs, and then
 * behaves as told for that attempt. For job tests that need failures on purpose.
 */
export async function scriptedDevice(
  fx: StationFixture,
  token: string,
  behaviour: (attempt: number) => Behaviour,
  chunkSize = 16 * 1024,
  /** What the device says went wrong when told to fail (fw_error is the device's own text). */
  failError = 'Checksum does not match (scripted)',
): Promise<ScriptedDevice> {
  const client = await fx.connect(token, { clientId: `scripted-${token}` });
  let current = { title: 'CIM-168', version: '1.0.0' };
  let attempts = 0;
  let ignoredWhileBusy = 0;
  let busy = false;
  let request = 0;
  const errors: Error[] = [];
  const telemetry = (values: Record<string, unknown>) =>
    client.publishAsync('v1/devices/me/telemetry', JSON.stringify(values), { qos: 1 });

  const download = async (requestId: number): Promise<void> => {
    for (let index = 0; ; index++) {
      const topic = `v2/fw/response/${requestId}/chunk/${index}`;
      const chunk = new Promise<Buffer>((resolve) => {
        const onMessage = (t: string, payload: Buffer) => {
          if (t !== topic) return;
          client.off('message', onMessage);
          resolve(payload);
        };
        client.on('message', onMessage);
      });
      await client.publishAsync(`v2/fw/request/${requestId}/chunk/${index}`, String(chunkSize), {
        qos: 1,
      });
      if ((await chunk).length < chunkSize) return;
    }
  };

  const deliver = async (target: { title: string; version: string }): Promise<void> => {
    attempts += 1;
    const what = behaviour(attempts);
    request += 1;
    const base = { current_fw_title: current.title, current_fw_version: current.version };
    await telemetry({ ...base, fw_state: 'DOWNLOADING' });
    if (what === 'stall') {
      await client.publishAsync(`v2/fw/request/${request}/chunk/0`, String(chunkSize), { qos: 1 });
      return; // and never another word: the station must time it out
    }
    await download(request);
    if (what === 'fail') {
      await telemetry({
        ...base,
        fw_state: 'FAILED',
        fw_error: failError,
      });
      return;
    }
    for (const state of ['DOWNLOADED', 'VERIFIED', 'UPDATING'])
      await telemetry({ ...base, fw_state: state });
    if (what === 'update') current = target;
    await telemetry({
      current_fw_title: current.title,
      current_fw_version: current.version,
      fw_state: 'UPDATED',
    });
  };

  const consider = (attributes: Record<string, unknown>) => {
    const title = attributes.fw_title;
    const version = attributes.fw_version;
    if (typeof title !== 'string' || typeof version !== 'string') return;
    if (title === current.title && version === current.version) return;
    if (busy) {
      ignoredWhileBusy += 1;
      return;
    }
    busy = true;
    deliver({ title, version })
      .catch((error: unknown) => {
        // A test that has seen what it waited for closes the connection, possibly before the
        // last PUBACK; that is the end of this device, not a failure of the delivery.
        if (client.disconnecting || client.disconnected) return;
        errors.push(error instanceof Error ? error : new Error(String(error)));
      })
      .finally(() => {
        busy = false;
      });
  };

  client.on('message', (topic, payload) => {
    if (topic === 'v1/devices/me/attributes')
      consider(JSON.parse(payload.toString()) as Record<string, unknown>);
    if (topic.startsWith('v1/devices/me/attributes/response/')) {
      const body = JSON.parse(payload.toString()) as { shared?: Record<string, unknown> };
      consider(body.shared ?? {});
    }
  });
  await client.subscribeAsync(
    ['v1/devices/me/attributes', 'v1/devices/me/attributes/response/+', 'v2/fw/response/+/chunk/+'],
    {
      qos: 1,
    },
  );
  await telemetry({ current_fw_title: current.title, current_fw_version: current.version });
  await client.publishAsync(
    'v1/devices/me/attributes/request/1',
    '{"sharedKeys":"fw_title,fw_version,fw_size,fw_checksum,fw_checksum_algorithm"}',
    {
      qos: 1,
    },
  );
  return {
    client,
    get attempts() {
      return attempts;
    },
    get ignoredWhileBusy() {
      return ignoredWhileBusy;
    },
    errors,
  };
}
