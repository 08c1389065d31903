import { describe, expect, it } from 'vitest';

import { mergeAttributeChange } from '../../electron/core/device-http/attribute-change';
import { contentRange, parseRange } from '../../electron/core/device-http/byte-range';
import { routeDeviceRequest } from '../../electron/core/device-http/device-route';
import { parseOtaQuery } from '../../electron/core/device-http/ota-query';

// The pure parts of the HTTP device API (docs/device-protocol.md#http-device-api).
describe('Range on a whole-file download', () => {
  it('reads the single-range forms curl and devices send', () => {
    expect(parseRange(undefined, 1000)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=100-199', 1000)).toEqual({ kind: 'range', start: 100, end: 200 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ kind: 'range', start: 900, end: 1000 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ kind: 'range', start: 900, end: 1000 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ kind: 'range', start: 0, end: 1000 });
    expect(parseRange('bytes=990-5000', 1000)).toEqual({ kind: 'range', start: 990, end: 1000 });
    expect(parseRange('BYTES = 1 - 2', 1000)).toEqual({ kind: 'range', start: 1, end: 3 });
  });

  it('says what cannot be met (416) and ignores what it does not understand', () => {
    expect(parseRange('bytes=1000-', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    for (const odd of ['bytes=5-1', 'bytes=0-1,5-6', 'items=0-1', 'bytes=a-b', 'bytes=-'])
      expect(parseRange(odd, 1000), odd).toEqual({ kind: 'whole' });
    expect(contentRange({ kind: 'range', start: 100, end: 200 }, 1000)).toBe('bytes 100-199/1000');
    expect(contentRange({ kind: 'unsatisfiable' }, 1000)).toBe('bytes */1000');
  });
});

describe('the OTA query', () => {
  const parse = (query: string) => parseOtaQuery(new URLSearchParams(query));

  it("takes ThingsBoard's parameters, size and chunk 0 by default", () => {
    expect(parse('title=CIM-168&version=1.0.1')).toEqual({
      ok: true,
      title: 'CIM-168',
      version: '1.0.1',
      size: 0,
      chunk: 0,
    });
    expect(parse('title=A+B&version=1&size=65536&chunk=57')).toMatchObject({
      title: 'A B',
      size: 65536,
      chunk: 57,
    });
    expect(parse('title=A&version=1&size=&chunk=')).toMatchObject({ ok: true, size: 0 });
    // A negative size asks for the whole file, as on ThingsBoard; chunk is then ignored.
    expect(parse('title=A&version=1&size=-1&chunk=-3')).toMatchObject({ ok: true, size: -1 });
  });

  it('refuses what ThingsBoard cannot parse into an int, and a negative chunk', () => {
    for (const bad of [
      'version=1',
      'title=A',
      'title=A&version=1&size=abc',
      'title=A&version=1&size=1.5',
      'title=A&version=1&size=2147483648',
      'title=A&version=1&size=1e3',
      'title=A&version=1&size=10&chunk=-1',
      'title=A&version=1&chunk=0x10',
    ])
      expect(parse(bad).ok, bad).toBe(false);
    expect(parse('title=A&version=1&size=2147483647').ok).toBe(true);
  });
});

describe('routing a device request', () => {
  it('finds the call and the token, decoded', () => {
    expect(routeDeviceRequest('POST', '/api/v1/T0K%2FEN/telemetry')).toEqual({
      kind: 'call',
      token: 'T0K/EN',
      call: { kind: 'telemetry' },
    });
    expect(routeDeviceRequest('GET', '/api/v1/T/attributes/updates')).toMatchObject({
      call: { kind: 'attributeUpdates' },
    });
    expect(routeDeviceRequest('POST', '/api/v1/T/rpc/17')).toMatchObject({
      call: { kind: 'rpcResponse', requestId: '17' },
    });
    expect(routeDeviceRequest('GET', '/api/v1/T/software')).toMatchObject({
      call: { kind: 'download', type: 'SOFTWARE' },
    });
  });

  it('tells an unknown route from a wrong method', () => {
    expect(routeDeviceRequest('GET', '/api/v1/T/telemetry')).toEqual({
      kind: 'wrong-method',
      allowed: ['POST'],
    });
    expect(routeDeviceRequest('HEAD', '/api/v1/T/firmware')).toMatchObject({
      kind: 'wrong-method',
    });
    for (const path of [
      '/',
      '/api/v1/T',
      '/api/v1/T/claim',
      '/api/v1/%ZZ/telemetry',
      '/api/v2/T/telemetry',
    ])
      expect(routeDeviceRequest('POST', path), path).toEqual({ kind: 'not-found' });
  });
});

describe('changes pushed together', () => {
  it('merge into one answer, the later word winning', () => {
    const assigned = mergeAttributeChange(
      mergeAttributeChange({}, { deleted: ['fw_tag', 'fw_url'] }),
      { fw_title: 'CIM-168', fw_version: '1.0.1', fw_size: 9, fw_tag: 'x' },
    );
    expect(assigned).toEqual({
      fw_title: 'CIM-168',
      fw_version: '1.0.1',
      fw_size: 9,
      fw_tag: 'x',
      deleted: ['fw_url'],
    });
    expect(mergeAttributeChange(assigned, { deleted: ['fw_title'] })).toEqual({
      fw_version: '1.0.1',
      fw_size: 9,
      fw_tag: 'x',
      deleted: ['fw_url', 'fw_title'],
    });
    expect(mergeAttributeChange({ a: 1 }, 'not an object')).toEqual({ a: 1 });
  });
});
