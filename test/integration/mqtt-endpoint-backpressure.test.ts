/**
 * A device that stops reading must only ever fill its own queue: other sessions keep being
 * served, and the stalled one is cut off once its queue passes maxQueuedBytes.
 */
import { expect, it } from 'vitest';

import { delay, waitFor } from '../support/wait';
import { endpointScopePerTest } from './mqtt-endpoint-scope';

const MiB = 1024 * 1024;
const { start, client, raw } = endpointScopePerTest();

function floodRequest(sizeBytes: number) {
  return {
    cmd: 'publish' as const,
    topic: 'flood',
    payload: Buffer.from(JSON.stringify({ count: 1, size: sizeBytes })),
    qos: 0 as const,
    dup: false,
    retain: false,
  };
}

it('a client that never reads does not stall others and is closed past maxQueuedBytes', async () => {
  const { port, endpoint, recorded } = await start({ maxQueuedBytes: 16 * MiB });

  const stalled = await raw(port, 4, { clientId: 'stalled' });
  stalled.socket.pause(); // from now on nothing is read: kernel buffers fill, then our queue
  const reader = await client(port, { protocolVersion: 4, clientId: 'reader' });
  await waitFor(() => endpoint.sessions.size === 2, { what: 'both sessions' });
  const stalledSession = [...endpoint.sessions].find((s) => s.clientId === 'stalled');
  if (!stalledSession) throw new Error('no stalled session');

  // Fill until the endpoint itself holds a backlog for the stalled session.
  for (let i = 0; i < 100 && stalledSession.queuedBytes < 4 * MiB; i++) {
    stalled.send(floodRequest(MiB));
    await delay(10);
  }
  expect(stalledSession.queuedBytes).toBeGreaterThanOrEqual(4 * MiB);
  expect(stalledSession.isOpen).toBe(true);

  // Meanwhile the other session is served in full, including bulk responses.
  const received: number[] = [];
  reader.on('message', (_topic, payload) => received.push(payload.length));
  for (let i = 0; i < 10; i++) reader.publish(`echo/r${i}`, Buffer.alloc(256 * 1024, i));
  await waitFor(() => received.length === 10, { what: 'ten 256 KiB echoes to the reading client' });
  expect(received.every((length) => length === 256 * 1024)).toBe(true);
  expect(stalledSession.isOpen).toBe(true);

  // Push the stalled session over its cap: it alone is closed.
  for (let i = 0; i < 100 && stalledSession.isOpen; i++) {
    stalled.send(floodRequest(MiB));
    await delay(10);
  }
  await waitFor(() => !stalledSession.isOpen, { what: 'the stalled session to be closed' });
  await waitFor(() => recorded.disconnected.some((d) => d.clientId === 'stalled'), {
    what: 'onDisconnected for the stalled session',
  });
  const overflow = recorded.errors.find((e) => e.kind === 'queue-overflow');
  expect(overflow?.clientId).toBe('stalled');
  expect(overflow?.session).toBe(stalledSession);
  expect([...endpoint.sessions].map((s) => s.clientId)).toEqual(['reader']);

  const after = new Promise<string>((resolve) =>
    reader.once('message', (_topic, payload) => resolve(payload.toString())),
  );
  reader.publish('echo/after', 'still served');
  expect(await after).toBe('still served');
});
