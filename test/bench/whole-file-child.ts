// Devices for the whole-file benchmark, in their own process. 'whole': each device asks for
// chunk 0 with an empty payload (ThingsBoard's SDK default) and reads the whole file as one
// PUBLISH; reports wall time and the hashes. 'pipeline': each device pipelines `requests`
// chunk requests of `chunkBytes` without reading, holds for `holdMs`, and reports how many
// connections the server closed.
import { LeanMqttClient } from './lean-mqtt-client';

export interface WholeFileChildRequest {
  url: string;
  tokenPrefix: string;
  count: number;
  mode: 'whole' | 'pipeline';
  requests?: number;
  chunkBytes?: number;
  holdMs?: number;
}

export type WholeFileChildReport =
  | { mode: 'whole'; wallMs: number; bytes: number[]; sha256: string[] }
  | { mode: 'pipeline'; closedByServer: number };

async function whole(request: WholeFileChildRequest): Promise<WholeFileChildReport> {
  const clients = await Promise.all(
    Array.from({ length: request.count }, (_, i) =>
      LeanMqttClient.connect(request.url, `${request.tokenPrefix}${i}`),
    ),
  );
  // Opened (and, on the station, hashed) once before, as after a first device in the field.
  await clients[0]?.request('v2/fw/request/0/chunk/0', '10', 1);
  const started = Date.now();
  const received = await Promise.all(
    clients.map((c) => c.request('v2/fw/request/1/chunk/0', '', 1)),
  );
  const wallMs = Date.now() - started;
  clients.forEach((c) => c.end());
  return {
    mode: 'whole',
    wallMs,
    bytes: received.map((r) => r.bytes),
    sha256: received.map((r) => r.sha256),
  };
}

async function pipeline(request: WholeFileChildRequest): Promise<WholeFileChildReport> {
  const clients = await Promise.all(
    Array.from({ length: request.count }, (_, i) =>
      LeanMqttClient.connect(request.url, `${request.tokenPrefix}${i}`),
    ),
  );
  // The binary opened (and hashed) once before, as in the field.
  await Promise.all(clients.map((c) => c.request('v2/fw/request/0/chunk/0', '10', 1)));
  const chunkBytes = request.chunkBytes ?? 512 * 1024;
  for (const client of clients) {
    client.socket.pause(); // never reads again
    const packets: Buffer[] = [];
    for (let i = 0; i < (request.requests ?? 2000); i++) {
      packets.push(
        client.requestPacket(`v2/fw/request/1/chunk/${i % 64}`, String(chunkBytes), i + 2),
      );
    }
    client.socket.write(Buffer.concat(packets));
  }
  await new Promise((resolve) => setTimeout(resolve, request.holdMs ?? 5000));
  // A paused socket does not see the close: a resumed one shows whether it is still open.
  clients.forEach((c) => c.socket.resume());
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const closedByServer = clients.filter((c) => c.closed).length;
  clients.forEach((c) => c.end());
  return { mode: 'pipeline', closedByServer };
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as WholeFileChildRequest;
  const report = request.mode === 'whole' ? await whole(request) : await pipeline(request);
  process.send?.(report, () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
