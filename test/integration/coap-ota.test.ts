import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { encodeBlockOption } from '../../electron/core/coap/block-option';
import { block2Of, coapRequest, optionOf, RawCoap } from '../support/coap-clients';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { binary, deviceWithFirmware, protocolErrors, type Scenario } from './device-api-helpers';

const SIZE = 10_000;

// docs/device-protocol.md#coap-ota: /fw/{token}, /sw/{token} and /api/v1/{token}/firmware.
describe('CoAP OTA download', () => {
  let fx: StationFixture;
  let sc: Scenario;
  let port: number;
  let raw: RawCoap;

  beforeEach(async () => {
    fx = await startStationFixture({ coapPort: 0 });
    sc = await deviceWithFirmware(fx, { size: SIZE, version: '1.0.1' });
    port = fx.station.coapAddress().port;
    raw = await RawCoap.open(port);
  });
  afterEach(async () => {
    await raw.close();
    await fx.close();
  });

  /** One raw GET; resolves with the station's answer to it. */
  const get = async (path: string, query: string[] = [], block?: { num: number; size: number }) => {
    const messageId = 20_000 + raw.packets.length;
    raw.send(
      raw.datagram({
        method: 'GET',
        path,
        query,
        messageId,
        ...(block && {
          options: [{ name: 'Block2', value: encodeBlockOption({ ...block, more: false }) }],
        }),
      }),
    );
    return raw.next((p) => p.messageId === messageId && p.code !== '0.00');
  };

  it('serves the whole image by Block2 to the coap npm client, byte for byte', async () => {
    const reply = await coapRequest({ port, pathname: `/fw/${sc.token}` });
    expect(reply.code).toBe('2.05');
    expect(reply.payload.equals(sc.firmware)).toBe(true);
    const documented = await coapRequest({
      port,
      pathname: `/api/v1/${sc.token}/firmware`,
      query: 'title=CIM-168&version=1.0.1',
    });
    expect(documented.payload.equals(sc.firmware)).toBe(true);
    // Progress is counted per block: the whole image reached the device.
    const [execution] = await waitFor(async () => {
      const list = await fx.station.api['executions.list']({ deviceId: sc.deviceId, limit: 1 });
      return list[0]?.bytesServed === SIZE && list;
    });
    expect(execution?.bytesServed).toBe(SIZE);
  });

  it('answers a GET with Observe as a plain GET (the resource never notifies)', async () => {
    const messageId = 31_000;
    raw.send(
      raw.datagram({
        method: 'GET',
        path: `/fw/${sc.token}`,
        messageId,
        options: [{ name: 'Observe', value: Buffer.alloc(0) }],
      }),
    );
    const reply = await raw.next((p) => p.messageId === messageId);
    expect(reply.code).toBe('2.05');
    expect(optionOf(reply, 'Observe')).toBeUndefined();
    expect(reply.payload.equals(sc.firmware.subarray(0, 1024))).toBe(true);
  });

  it('serves software at /sw/{token}', async () => {
    const software = binary(3000, 5);
    const pkg = await fx.packageFrom(software, {
      profileId: sc.profileId,
      title: 'app',
      version: '2.4',
      type: 'SOFTWARE',
    });
    await fx.station.api['assignments.assign']({ deviceId: sc.deviceId, packageId: pkg.id });
    const reply = await coapRequest({ port, pathname: `/sw/${sc.token}`, query: 'title=app' });
    expect(reply.payload.equals(software)).toBe(true);
  });

  it('honours the block size the device asks for, for any block at any time', async () => {
    const first = await get(`/fw/${sc.token}`, [], { num: 0, size: 64 });
    expect(first.code).toBe('2.05');
    expect(block2Of(first)).toEqual({ num: 0, more: true, size: 64 });
    expect(first.payload.equals(sc.firmware.subarray(0, 64))).toBe(true);
    expect(optionOf(first, 'Size2')?.readUIntBE(0, optionOf(first, 'Size2')!.length)).toBe(SIZE);
    // A jump ahead, then a late change of size: numbering follows the size asked for.
    const jump = await get(`/fw/${sc.token}`, [], { num: 57, size: 64 });
    expect(jump.payload.equals(sc.firmware.subarray(57 * 64, 58 * 64))).toBe(true);
    const bigger = await get(`/fw/${sc.token}`, [], { num: 3, size: 256 });
    expect(block2Of(bigger)).toEqual({ num: 3, more: true, size: 256 });
    expect(bigger.payload.equals(sc.firmware.subarray(768, 1024))).toBe(true);
    // The last block is short and says so; one past it is empty (EOF), not an error.
    const last = await get(`/fw/${sc.token}`, [], { num: 9, size: 1024 });
    expect(block2Of(last)).toEqual({ num: 9, more: false, size: 1024 });
    expect(last.payload.equals(sc.firmware.subarray(9216))).toBe(true);
    const past = await get(`/fw/${sc.token}`, [], { num: 10, size: 1024 });
    expect(past.code).toBe('2.05');
    expect(past.payload.length).toBe(0);
    // Every block of the same image carries the same ETag.
    expect(optionOf(first, 'ETag')).toEqual(optionOf(last, 'ETag'));
  });

  it('slices by size and chunk first, then blocks the slice; past the end is 2.05 empty', async () => {
    const query = ['title=CIM-168', 'version=1.0.1', 'size=4096', 'chunk=1'];
    const parts: Buffer[] = [];
    for (let num = 0; num < 8; num++) {
      const block = await get(`/fw/${sc.token}`, query, { num, size: 512 });
      expect(block2Of(block)).toEqual({ num, more: num < 7, size: 512 });
      parts.push(block.payload);
    }
    expect(Buffer.concat(parts).equals(sc.firmware.subarray(4096, 8192))).toBe(true);
    // The last chunk is short (1808 bytes): asked without Block2, it still comes block-wise.
    const short = await get(`/fw/${sc.token}`, ['size=4096', 'chunk=2']);
    expect(block2Of(short)).toEqual({ num: 0, more: true, size: 1024 });
    expect(short.payload.equals(sc.firmware.subarray(8192, 9216))).toBe(true);
    expect(optionOf(short, 'Size2')?.readUIntBE(0, 2)).toBe(SIZE - 8192);
    // ThingsBoard sends nothing here and lets the device time out.
    const eof = await get(`/fw/${sc.token}`, ['size=4096', 'chunk=9999']);
    expect(eof.code).toBe('2.05');
    expect(eof.payload.length).toBe(0);
  });

  it('serves a package assigned during a download from the next second on', async () => {
    const v101 = ['title=CIM-168', 'version=1.0.1'];
    expect((await get(`/fw/${sc.token}`, v101)).payload).toEqual(sc.firmware.subarray(0, 1024));
    const next = binary(5000, 3);
    const pkg = await fx.packageFrom(next, { profileId: sc.profileId, version: '1.0.2' });
    await fx.station.api['assignments.assign']({ deviceId: sc.deviceId, packageId: pkg.id });
    // The assignment is resolved again for the next request, as ThingsBoard resolves it for
    // every request (open-downloads.test.ts shows it with no wait at all).
    await new Promise((r) => setTimeout(r, 1100));
    expect((await get(`/fw/${sc.token}`, v101)).code).toBe('4.00');
    const now = await get(`/fw/${sc.token}`);
    expect(now.payload).toEqual(next.subarray(0, 1024));
  });

  it('refuses a wrong token, title or version, nothing assigned, bad numbers; each logged', async () => {
    expect((await get('/fw/not-a-token')).code).toBe('4.01');
    expect((await get(`/fw/${sc.token}`, ['title=OTHER'])).code).toBe('4.00');
    expect((await get(`/fw/${sc.token}`, ['title=CIM-168', 'version=9.9'])).code).toBe('4.00');
    expect((await get(`/fw/${sc.token}`, ['size=abc'])).code).toBe('4.00');
    expect((await get(`/sw/${sc.token}`)).code).toBe('4.04');
    const post = await coapRequest({ port, method: 'POST', pathname: `/fw/${sc.token}` });
    expect(post.code).toBe('4.05');
    const errors = await protocolErrors(fx);
    const mine = errors.filter((e) => e.deviceId === sc.deviceId).map((e) => e.kind);
    expect(mine).toEqual(
      expect.arrayContaining(['package-mismatch', 'bad-chunk-size', 'nothing-assigned']),
    );
    expect(errors.some((e) => e.kind === 'bad-token')).toBe(true);
  });
});

describe('CoAP OTA retransmissions', () => {
  let fx: StationFixture;

  afterEach(async () => {
    await fx.close();
  });

  it('serves a block once when the answer went separately (empty ACK first)', async () => {
    // No piggyback window: every answer that waits for the disk goes as an empty ACK and a
    // separate CON, the case node-coap handled twice on a retransmission.
    fx = await startStationFixture({ coapPort: 0, coapLimits: { piggybackReplyMs: 0 } });
    const sc = await deviceWithFirmware(fx, { size: SIZE });
    const raw = await RawCoap.open(fx.station.coapAddress().port);
    try {
      const datagram = raw.datagram({ method: 'GET', path: `/fw/${sc.token}`, messageId: 99 });
      raw.send(datagram);
      raw.send(datagram); // back to back: the first is still being read from the disk
      const answer = await raw.next((p) => p.code === '2.05');
      expect(answer.payload.equals(sc.firmware.subarray(0, 1024))).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      raw.send(datagram); // a retransmission after the answer
      await waitFor(() => fx.station.coapStats().duplicates === 2);
      await new Promise((r) => setTimeout(r, 300));
      // Handled once: one body sent, and every answer to message 99 is the same datagram
      // (the empty ACK, or the piggybacked body when the disk was quicker than the window).
      expect(fx.station.coapStats().requests).toBe(1);
      expect(raw.packets.filter((p) => p.code === '2.05' && !p.ack)).toHaveLength(
        answer.ack ? 0 : 1,
      );
      const replies = raw.packets.filter((p) => p.messageId === 99);
      expect(
        new Set(replies.map((p) => `${p.ack}:${p.code}:${p.payload.toString('hex')}`)).size,
      ).toBe(1);
    } finally {
      await raw.close();
    }
  });
});
