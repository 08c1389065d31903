import type { MqttClient } from 'mqtt';
import { afterEach } from 'vitest';

import {
  connectClient,
  endClient,
  RawClient,
  startTestEndpoint,
  type TestEndpoint,
} from './mqtt-endpoint-helpers';

/**
 * What one endpoint test opens (the endpoint, MQTT.js clients, raw sockets), all closed after
 * the test, so that a failed assertion never leaves a port or a socket open for the next one.
 */
export interface EndpointTestScope {
  start(overrides?: Parameters<typeof startTestEndpoint>[0]): Promise<TestEndpoint>;
  client(port: number, options?: Parameters<typeof connectClient>[1]): Promise<MqttClient>;
  raw(
    port: number,
    version: 3 | 4 | 5,
    extra?: Parameters<typeof RawClient.connect>[2],
  ): Promise<RawClient>;
  /** Clients a test connected by other means, closed with the rest. */
  readonly clients: MqttClient[];
  readonly raws: RawClient[];
}

/** Registers the after-each clean-up in the calling test file and returns the scope it empties. */
export function endpointScopePerTest(): EndpointTestScope {
  let current: TestEndpoint | undefined;
  const clients: MqttClient[] = [];
  const raws: RawClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map(endClient));
    raws.splice(0).forEach((r) => r.end());
    await current?.endpoint.close();
    current = undefined;
  });

  return {
    clients,
    raws,
    async start(overrides = {}) {
      current = await startTestEndpoint(overrides);
      return current;
    },
    async client(port, options = {}) {
      const c = await connectClient(port, options);
      clients.push(c);
      return c;
    },
    async raw(port, version, extra = {}) {
      const r = await RawClient.connect(port, version, extra);
      raws.push(r);
      return r;
    },
  };
}
