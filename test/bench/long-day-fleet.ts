// The devices of the long-day benchmark, in a process of their own so that their load does not
// delay the round-trip probe or the sampling. Argument: {url, tokens, minutes}. Runs the fleet
// (1 Hz telemetry, unclean drops, two storms) until told 'stop'; then closes every connection
// and answers with its counters.
import mqtt, { type MqttClient } from 'mqtt';

const CHUNK = 16 * 1024;

export interface LongDayFleetRequest {
  url: string;
  tokens: string[];
  minutes: number;
}

export interface LongDayFleetCounters {
  updated: number;
  drops: number;
  telemetry: number;
}

/** A device written for ThingsBoard: telemetry at 1 Hz, updates when told, drops when told. */
class DayDevice {
  client: MqttClient | undefined;
  version = '2.0.0';
  private busy = false;
  private request = 0;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly counters: { updated: number; drops: number; telemetry: number },
  ) {}

  async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = await mqtt.connectAsync(this.url, {
        username: this.token,
        clientId: `day-${this.token}`,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
        keepalive: 60,
      });
      if (this.stopped) {
        await client.endAsync(true);
        return;
      }
      this.client = client;
      client.on('error', () => undefined);
      client.on('close', () => {
        if (this.client === client) this.client = undefined;
        this.busy = false;
      });
      client.on('message', (topic, payload) => this.onMessage(client, topic, payload));
      await client.subscribeAsync(
        [
          'v1/devices/me/attributes',
          'v1/devices/me/attributes/response/+',
          'v2/fw/response/+/chunk/+',
        ],
        { qos: 1 },
      );
      this.publish({ current_fw_title: 'CIM-168', current_fw_version: this.version });
      client.publish(
        'v1/devices/me/attributes/request/1',
        '{"sharedKeys":"fw_title,fw_version,fw_size"}',
        { qos: 1 },
      );
    } catch {
      this.client = undefined;
      setTimeout(() => void this.connect(), 2000);
    }
  }

  telemetry(): void {
    if (!this.client) return;
    this.counters.telemetry += 1;
    this.publish({
      temperature: 20 + Math.random() * 5,
      humidity: Math.round(40 + Math.random() * 20),
      rssi: -60 - Math.round(Math.random() * 20),
    });
  }

  /** An unclean drop (no DISCONNECT), then back after 1-3 s. */
  drop(): void {
    const client = this.client;
    if (!client) return;
    this.counters.drops += 1;
    this.client = undefined;
    client.stream.destroy();
    client.end(true);
    setTimeout(() => void this.connect(), 1000 + Math.random() * 2000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.endAsync(true).catch(() => undefined);
  }

  private publish(values: Record<string, unknown>): void {
    this.client?.publish('v1/devices/me/telemetry', JSON.stringify(values), { qos: 1 });
  }

  private onMessage(client: MqttClient, topic: string, payload: Buffer): void {
    if (topic.startsWith('v2/')) return;
    const body = JSON.parse(payload.toString()) as Record<string, unknown>;
    const shared = (topic === 'v1/devices/me/attributes' ? body : body.shared) as
      Record<string, unknown> | undefined;
    const version = shared?.fw_version;
    const size = shared?.fw_size;
    if (typeof version !== 'string' || version === this.version || this.busy) return;
    if (typeof size !== 'number') return;
    this.busy = true;
    void this.update(client, version, size).finally(() => {
      this.busy = false;
    });
  }

  private async update(client: MqttClient, version: string, size: number): Promise<void> {
    const state = (s: string) =>
      client.publishAsync(
        'v1/devices/me/telemetry',
        JSON.stringify({
          fw_state: s,
          current_fw_title: 'CIM-168',
          current_fw_version: this.version,
        }),
        { qos: 1 },
      );
    try {
      await state('DOWNLOADING');
      this.request += 1;
      for (let index = 0; index * CHUNK < size; index++) {
        const topic = `v2/fw/response/${this.request}/chunk/${index}`;
        const chunk = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('chunk timeout')), 15_000);
          const onMessage = (t: string) => {
            if (t !== topic) return;
            clearTimeout(timer);
            client.off('message', onMessage);
            resolve();
          };
          client.on('message', onMessage);
        });
        // Observed at once: a publish that fails (the connection dropped) leaves it unawaited.
        chunk.catch(() => undefined);
        await client.publishAsync(`v2/fw/request/${this.request}/chunk/${index}`, String(CHUNK), {
          qos: 1,
        });
        await chunk;
      }
      for (const s of ['DOWNLOADED', 'VERIFIED', 'UPDATING']) await state(s);
      this.version = version;
      await client.publishAsync(
        'v1/devices/me/telemetry',
        JSON.stringify({
          fw_state: 'UPDATED',
          current_fw_title: 'CIM-168',
          current_fw_version: version,
        }),
        { qos: 1 },
      );
      this.counters.updated += 1;
    } catch {
      // Dropped mid-update: the next connection asks for its attributes and carries on.
    }
  }
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as LongDayFleetRequest;
  const counters: LongDayFleetCounters = { updated: 0, drops: 0, telemetry: 0 };
  const devices = request.tokens.map((t) => new DayDevice(request.url, t, counters));
  for (let i = 0; i < devices.length; i += 50)
    await Promise.all(devices.slice(i, i + 50).map((d) => d.connect()));
  // 1 Hz telemetry, spread over the second; two unclean drops a second.
  let slot = 0;
  const telemetry = setInterval(() => {
    for (let i = slot; i < devices.length; i += 10) devices[i]?.telemetry();
    slot = (slot + 1) % 10;
  }, 100);
  const churn = setInterval(() => {
    for (let k = 0; k < 2; k++) devices[Math.floor(Math.random() * devices.length)]?.drop();
  }, 1000);
  const storms = [0.3, 0.7].map((at) =>
    setTimeout(
      () => {
        for (const d of devices) if (Math.random() < 0.25) d.drop();
      },
      at * request.minutes * 60_000,
    ),
  );
  // A driver that died (a crash, a time-out kill) must not leave this process behind.
  process.once('disconnect', () => process.exit(1));
  process.send?.({ connected: true });
  process.on('message', (message: { kind: string }) => {
    if (message.kind === 'counters') {
      process.send?.({ ...counters });
      return;
    }
    clearInterval(telemetry);
    clearInterval(churn);
    storms.forEach(clearTimeout);
    void Promise.all(devices.map((d) => d.stop())).then(() =>
      process.send?.({ ...counters }, () => process.exit(0)),
    );
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
