import { describe, expect, it } from 'vitest';

import { parseChunkSize } from '../../electron/core/device-api/chunk-size';

const parse = (text: string) => parseChunkSize(Buffer.from(text));

describe('chunk-size payload of a chunk request (docs/device-protocol.md#chunk-requests)', () => {
  it('reads decimal text, as devices send it', () => {
    expect(parse('8192')).toEqual({ kind: 'size', bytes: 8192 });
    expect(parse('1')).toEqual({ kind: 'size', bytes: 1 });
    expect(parse(' 1024\n')).toEqual({ kind: 'size', bytes: 1024 });
  });

  it('accepts a JSON-quoted size, on which ThingsBoard drops the connection', () => {
    expect(parse('"1024"')).toEqual({ kind: 'size', bytes: 1024 });
    expect(parse('" 2048 "')).toEqual({ kind: 'size', bytes: 2048 });
  });

  it('treats an empty payload (and 0, as ThingsBoard does) as "reuse the last size"', () => {
    expect(parse('')).toEqual({ kind: 'empty' });
    expect(parse('  \r\n')).toEqual({ kind: 'empty' });
    expect(parse('0')).toEqual({ kind: 'empty' });
  });

  it('keeps sizes far over any cap as sizes, so they are refused as PAYLOAD_TOO_LARGE', () => {
    expect(parse('1000000000000')).toEqual({ kind: 'size', bytes: 1_000_000_000_000 });
    const absurd = parse('9'.repeat(400));
    expect(absurd.kind).toBe('size');
    expect(absurd.kind === 'size' && absurd.bytes > 2 ** 53).toBe(true);
  });

  it.each(['-1', '-8192', '"-5"', 'abc', '1.5', '1e3', '0x400', '+5', '12 34', '"1024', '[1024]'])(
    'refuses %j with a reason',
    (text) => {
      const result = parse(text);
      expect(result.kind).toBe('invalid');
      expect(result.kind === 'invalid' && result.reason).toContain('is not a positive integer');
    },
  );

  it('keeps the reason short for a long garbage payload', () => {
    const result = parse('x'.repeat(10_000));
    expect(result.kind === 'invalid' && result.reason.length).toBeLessThan(100);
  });
});
