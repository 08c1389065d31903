import { describe, expect, it } from 'vitest';

import {
  blockSlice,
  encodeBlockOption,
  parseBlockOption,
} from '../../electron/core/coap/block-option';
import { parseCoapRoute, queryParameters } from '../../electron/core/coap/coap-routes';
import { otaSlice, parseOtaQuery } from '../../electron/core/coap/ota-query';

describe('Block2 option (RFC 7959 §2.2)', () => {
  it('reads NUM, M and SZX from 0 to 3 bytes', () => {
    expect(parseBlockOption(Buffer.alloc(0))).toEqual({
      ok: true,
      block: { num: 0, more: false, size: 16 },
    });
    // NUM 5, M=1, SZX 6 (1024): 0101 1 110
    expect(parseBlockOption(Buffer.of(0x5e))).toEqual({
      ok: true,
      block: { num: 5, more: true, size: 1024 },
    });
    // NUM 3647 in two bytes, SZX 2 (64)
    expect(parseBlockOption(Buffer.of(0xe3, 0xf2))).toEqual({
      ok: true,
      block: { num: 3647, more: false, size: 64 },
    });
    expect(parseBlockOption(Buffer.of(0x0f, 0xff, 0xf6)).ok && true).toBe(true);
  });

  it('refuses SZX 7 (BERT is for TCP) and options longer than 3 bytes', () => {
    expect(parseBlockOption(Buffer.of(0x07))).toMatchObject({ ok: false });
    expect(parseBlockOption(Buffer.of(0, 0, 0, 6))).toMatchObject({ ok: false });
  });

  it('writes the shortest form and reads back what it wrote', () => {
    expect(encodeBlockOption({ num: 0, more: false, size: 16 })).toEqual(Buffer.alloc(0));
    expect(encodeBlockOption({ num: 5, more: true, size: 1024 })).toEqual(Buffer.of(0x5e));
    for (const block of [
      { num: 15, more: true, size: 512 },
      { num: 16, more: false, size: 32 },
      { num: 4095, more: true, size: 1024 },
      { num: 4096, more: false, size: 1024 },
      { num: 0xfffff, more: true, size: 16 },
    ]) {
      expect(parseBlockOption(encodeBlockOption(block))).toEqual({ ok: true, block });
    }
    expect(() => encodeBlockOption({ num: 0, more: false, size: 2048 })).toThrow(RangeError);
    expect(() => encodeBlockOption({ num: 0x100000, more: false, size: 16 })).toThrow(RangeError);
  });

  it('slices any block of a body in the size asked for, empty past the end', () => {
    // No Block2 asked: whole when it fits one message, else block 0 of 1024.
    expect(blockSlice(undefined, 1024)).toBeUndefined();
    expect(blockSlice(undefined, 1025)).toEqual({
      start: 0,
      end: 1024,
      more: true,
      size: 1024,
      num: 0,
    });
    // Early negotiation: 64-byte blocks from the first one.
    expect(blockSlice({ num: 0, more: false, size: 64 }, 200)).toEqual({
      start: 0,
      end: 64,
      more: true,
      size: 64,
      num: 0,
    });
    // Any block at any time, the last one short.
    expect(blockSlice({ num: 3, more: false, size: 64 }, 200)).toEqual({
      start: 192,
      end: 200,
      more: false,
      size: 64,
      num: 3,
    });
    expect(blockSlice({ num: 4, more: false, size: 64 }, 200)).toEqual({
      start: 200,
      end: 200,
      more: false,
      size: 64,
      num: 4,
    });
    expect(blockSlice({ num: 0, more: false, size: 1024 }, 0)).toEqual({
      start: 0,
      end: 0,
      more: false,
      size: 1024,
      num: 0,
    });
  });
});

describe('CoAP resources', () => {
  it('reads ThingsBoard device paths, features in any case', () => {
    expect(parseCoapRoute('/api/v1/tok/telemetry')).toEqual({
      kind: 'device',
      token: 'tok',
      feature: 'telemetry',
      requestId: undefined,
    });
    expect(parseCoapRoute('/api/v1/tok/ATTRIBUTES?sharedKeys=a')).toMatchObject({
      kind: 'device',
      feature: 'attributes',
    });
    expect(parseCoapRoute('/api/v1/tok/rpc/17')).toEqual({
      kind: 'device',
      token: 'tok',
      feature: 'rpc',
      requestId: '17',
    });
  });

  it('serves OTA at /fw/{token}, /sw/{token} and the documented /api/v1/{token}/firmware', () => {
    expect(parseCoapRoute('/fw/tok?title=T')).toEqual({
      kind: 'ota',
      token: 'tok',
      type: 'FIRMWARE',
    });
    expect(parseCoapRoute('/sw/tok')).toEqual({ kind: 'ota', token: 'tok', type: 'SOFTWARE' });
    expect(parseCoapRoute('/api/v1/tok/firmware')).toEqual({
      kind: 'ota',
      token: 'tok',
      type: 'FIRMWARE',
    });
    expect(parseCoapRoute('/api/v1/tok/Software')).toEqual({
      kind: 'ota',
      token: 'tok',
      type: 'SOFTWARE',
    });
  });

  it('answers what ThingsBoard answers to other paths', () => {
    expect(parseCoapRoute('/fw')).toEqual({ kind: 'no-token' });
    expect(parseCoapRoute('/fw/tok/extra')).toEqual({ kind: 'no-token' });
    expect(parseCoapRoute('/api/v1')).toEqual({ kind: 'no-token' });
    expect(parseCoapRoute('/api/v1/tok')).toEqual({ kind: 'bad-feature', feature: '' });
    expect(parseCoapRoute('/api/v1/tok/shoes')).toEqual({ kind: 'bad-feature', feature: 'shoes' });
    expect(parseCoapRoute('/api/v1/tok/claim')).toEqual({ kind: 'unsupported', feature: 'claim' });
    expect(parseCoapRoute('/api/v1/provision')).toEqual({
      kind: 'unsupported',
      feature: 'provision',
    });
    expect(parseCoapRoute('/.well-known/core')).toEqual({ kind: 'discovery' });
    expect(parseCoapRoute('/.well-known/other')).toEqual({ kind: 'not-found' });
    expect(parseCoapRoute('/favicon.ico')).toEqual({ kind: 'not-found' });
  });

  it('takes each Uri-Query option as one parameter, the first of a name winning', () => {
    const params = queryParameters([
      Buffer.from('title=A&B'),
      Buffer.from('size=512'),
      Buffer.from('size=9'),
      Buffer.from('flag'),
    ]);
    expect([...params]).toEqual([
      ['title', 'A&B'],
      ['size', '512'],
      ['flag', ''],
    ]);
  });
});

describe('OTA query', () => {
  it('defaults size and chunk to 0 (the whole file) and keeps title/version optional', () => {
    expect(parseOtaQuery(new Map())).toEqual({
      ok: true,
      query: { title: undefined, version: undefined, size: 0, chunk: 0 },
    });
    expect(otaSlice({ title: undefined, version: undefined, size: 0, chunk: 7 }, 100)).toEqual({
      start: 0,
      end: 100,
    });
  });

  it('slices [size*chunk, +size), the last short and past the end empty', () => {
    const q = (size: number, chunk: number) => ({ title: 'T', version: 'V', size, chunk });
    expect(otaSlice(q(4096, 0), 10_000)).toEqual({ start: 0, end: 4096 });
    expect(otaSlice(q(4096, 2), 10_000)).toEqual({ start: 8192, end: 10_000 });
    expect(otaSlice(q(4096, 3), 10_000)).toEqual({ start: 10_000, end: 10_000 });
    expect(otaSlice(q(4096, 9999), 10_000)).toEqual({ start: 10_000, end: 10_000 });
  });

  it('refuses numbers that are not whole, negative or absurd', () => {
    for (const [name, value] of [
      ['size', 'abc'],
      ['size', '-1'],
      ['chunk', '1.5'],
      ['chunk', '9999999999999999'],
    ]) {
      expect(parseOtaQuery(new Map([[name!, value!]]))).toMatchObject({ ok: false });
    }
    expect(
      parseOtaQuery(
        new Map([
          ['size', '999999999999'],
          ['chunk', '999999999999'],
        ]),
      ),
    ).toMatchObject({ ok: false });
  });
});
