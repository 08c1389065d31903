import { describe, expect, it } from 'vitest';

import {
  chunkRequestTopic,
  chunkResponseTopic,
  parseDeviceTopic,
  SUBSCRIBABLE_FILTERS,
  topicMatchesFilter,
} from '../../shared/protocol/topics';

describe('device topics (docs/device-protocol.md)', () => {
  it('classifies the fixed topics', () => {
    expect(parseDeviceTopic('v1/devices/me/telemetry')).toEqual({ kind: 'telemetry' });
    expect(parseDeviceTopic('v1/devices/me/attributes')).toEqual({ kind: 'clientAttributes' });
  });

  it('takes integer request ids of attribute and RPC requests, verbatim', () => {
    expect(parseDeviceTopic('v1/devices/me/attributes/request/1')).toEqual({
      kind: 'attributeRequest',
      requestId: '1',
    });
    expect(parseDeviceTopic('v1/devices/me/attributes/request/007')).toEqual({
      kind: 'attributeRequest',
      requestId: '007',
    });
    expect(parseDeviceTopic('v1/devices/me/rpc/request/42')).toEqual({
      kind: 'rpcRequest',
      requestId: '42',
    });
    expect(parseDeviceTopic('v1/devices/me/rpc/response/3')).toEqual({
      kind: 'rpcResponse',
      requestId: '3',
    });
  });

  it.each([
    'v1/devices/me/attributes/request/abc',
    'v1/devices/me/attributes/request/',
    'v1/devices/me/attributes/request/1/2',
    'v1/devices/me/attributes/request/-1',
    'v1/devices/me/rpc/request/x',
    'v1/devices/me/rpc/response/x',
    'v1/devices/me/telemetry/extra',
    'v1/devices/other/telemetry',
    'v1/devices/me',
    'v2/fw/request/1/chunk/x',
    'v2/fw/request/1/chunk/-1',
    'v2/fw/request/1/chunk/1.5',
    'v2/fw/request/1/chunk/',
    'v2/fw/request//chunk/0',
    'v2/fw/request/1/chunk/99999999999999999999',
    'v2/xx/request/1/chunk/0',
    'v2/fw/response/1/chunk/0',
    'v2/fw/error',
    'anything',
    '',
  ])('%j is unknown', (topic) => {
    expect(parseDeviceTopic(topic)).toEqual({ kind: 'unknown' });
  });

  it('reads both chunk request forms, firmware and software, keeping the request id verbatim', () => {
    expect(parseDeviceTopic('v2/fw/request/01/chunk/3')).toEqual({
      kind: 'chunkRequest',
      type: 'FIRMWARE',
      requestId: '01',
      chunk: 3,
    });
    expect(parseDeviceTopic('v2/fw/chunk/request/7/chunk/0')).toEqual({
      kind: 'chunkRequest',
      type: 'FIRMWARE',
      requestId: '7',
      chunk: 0,
    });
    expect(parseDeviceTopic('v2/sw/request/9/chunk/12')).toEqual({
      kind: 'chunkRequest',
      type: 'SOFTWARE',
      requestId: '9',
      chunk: 12,
    });
    expect(parseDeviceTopic('v2/sw/chunk/request/9/chunk/12')).toEqual({
      kind: 'chunkRequest',
      type: 'SOFTWARE',
      requestId: '9',
      chunk: 12,
    });
  });

  it('answers the chunk index as a plain integer, the request id as sent', () => {
    const parsed = parseDeviceTopic('v2/fw/request/01/chunk/007');
    expect(parsed).toEqual({ kind: 'chunkRequest', type: 'FIRMWARE', requestId: '01', chunk: 7 });
    expect(chunkResponseTopic('FIRMWARE', '01', 7)).toBe('v2/fw/response/01/chunk/7');
    expect(chunkResponseTopic('SOFTWARE', 'a', 0)).toBe('v2/sw/response/a/chunk/0');
    expect(chunkRequestTopic('SOFTWARE', '5', 2)).toBe('v2/sw/request/5/chunk/2');
  });

  it('offers exactly the filters ThingsBoard grants', () => {
    expect([...SUBSCRIBABLE_FILTERS].sort()).toEqual(
      [
        'v1/devices/me/attributes',
        'v1/devices/me/attributes/response/+',
        'v1/devices/me/rpc/request/+',
        'v1/devices/me/rpc/response/+',
        'v2/fw/response/+/chunk/+',
        'v2/fw/error',
        'v2/sw/response/+/chunk/+',
        'v2/sw/error',
      ].sort(),
    );
  });

  it('matches topic filters as MQTT does', () => {
    expect(topicMatchesFilter('v2/fw/response/1/chunk/0', 'v2/fw/response/+/chunk/+')).toBe(true);
    expect(topicMatchesFilter('v2/fw/response/1/chunk/0', 'v2/fw/response/+')).toBe(false);
    expect(topicMatchesFilter('v2/fw/response/1/chunk/0', 'v2/#')).toBe(true);
    expect(topicMatchesFilter('v2/fw/error', 'v2/fw/error')).toBe(true);
    expect(topicMatchesFilter('v2/fw/error/x', 'v2/fw/error')).toBe(false);
    expect(topicMatchesFilter('v1/devices/me/attributes', 'v1/devices/me/attributes/+')).toBe(
      false,
    );
    expect(
      topicMatchesFilter(
        'v1/devices/me/attributes/response/5',
        'v1/devices/me/attributes/response/+',
      ),
    ).toBe(true);
  });
});
