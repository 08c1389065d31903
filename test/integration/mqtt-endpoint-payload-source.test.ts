/**
 * A PUBLISH whose payload is read on demand (a firmware file on disk): written piece by piece
 * into one well-formed packet, and refused when MQTT cannot carry it at all.
 */
import { describe, expect, it } from 'vitest';

import { waitFor } from '../support/wait';
import { endpointScopePerTest } from './mqtt-endpoint-scope';

const { start, client } = endpointScopePerTest();

function expected(length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = i % 251;
  return bytes;
}

describe.each([4, 5] as const)('MQTT protocol version %i', (protocolVersion) => {
  it('a 5 MB payload read in pieces arrives as one message, byte for byte', async () => {
    const { port } = await start();
    const c = await client(port, { protocolVersion });
    const got: Buffer[] = [];
    c.on('message', (topic, payload) => {
      if (topic === 'source/reply') got.push(payload);
    });
    await c.publishAsync('source', JSON.stringify({ length: 5_000_000 }), { qos: 1 });
    await c.publishAsync('source', JSON.stringify({ length: 0 }), { qos: 1 });
    await waitFor(() => got.length === 2, { what: 'two replies' });
    expect(got[0]?.equals(expected(5_000_000))).toBe(true);
    expect(got[1]).toHaveLength(0);
  });

  it('over the 268,435,455 bytes MQTT can carry: refused, nothing read, the session goes on', async () => {
    const { port, recorded } = await start();
    const c = await client(port, { protocolVersion });
    const topics: string[] = [];
    c.on('message', (topic) => topics.push(topic));
    await c.publishAsync('source', JSON.stringify({ length: 268_435_456 }), { qos: 1 });
    await waitFor(() => topics.includes('source/refused'), { what: 'the refusal' });
    expect(recorded.errors.map((e) => e.kind)).toContain('packet-too-large-for-mqtt');
    await c.publishAsync('source', JSON.stringify({ length: 10 }), { qos: 1 });
    await waitFor(() => topics.includes('source/reply'), { what: 'a reply after it' });
    expect(topics).toEqual(['source/refused', 'source/reply']);
  });
});
