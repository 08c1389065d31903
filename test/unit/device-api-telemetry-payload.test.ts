import { describe, expect, it } from 'vitest';

import { isPlainObject, parseTelemetry } from '../../electron/core/device-api/telemetry-payload';

const NOW = 1_700_000_000_000;
const parse = (text: string) => parseTelemetry(JSON.parse(text), NOW);

describe('telemetry payload forms (docs/device-protocol.md#telemetry)', () => {
  it('a flat object gets the server time', () => {
    expect(parse('{"k":"v","n":1}')).toEqual([{ ts: NOW, values: { k: 'v', n: 1 } }]);
  });

  it('an array of flat objects: one entry each, server time', () => {
    expect(parse('[{"k":"v"},{"k2":1}]')).toEqual([
      { ts: NOW, values: { k: 'v' } },
      { ts: NOW, values: { k2: 1 } },
    ]);
  });

  it('the ts form keeps the device time', () => {
    expect(parse('{"ts":1451649600512,"values":{"k":"v"}}')).toEqual([
      { ts: 1451649600512, values: { k: 'v' } },
    ]);
  });

  it('an array of the ts form keeps each time', () => {
    expect(
      parse('[{"ts":1451649600512,"values":{"a":1}},{"ts":1451649600513,"values":{"b":true}}]'),
    ).toEqual([
      { ts: 1451649600512, values: { a: 1 } },
      { ts: 1451649600513, values: { b: true } },
    ]);
  });

  it('spacing does not matter', () => {
    expect(parse(' { "ts" : 5 ,\n "values" : { "k" : "v" } } ')).toEqual([
      { ts: 5, values: { k: 'v' } },
    ]);
  });

  it('an empty array is valid and stores nothing', () => {
    expect(parse('[]')).toEqual([]);
  });

  it.each([
    ['a number', '42'],
    ['a string', '"DOWNLOADING"'],
    ['null', 'null'],
    ['true', 'true'],
    ['an array with a number', '[{"a":1},2]'],
    ['a nested array', '[[{"a":1}]]'],
    ['a ts that is a string', '{"ts":"1451649600512","values":{"k":"v"}}'],
    ['a negative ts', '{"ts":-1,"values":{"k":"v"}}'],
    ['a fractional ts', '{"ts":1.5,"values":{"k":"v"}}'],
    ['values that are not an object', '{"ts":1,"values":[1,2]}'],
    ['values that are null', '{"ts":1,"values":null}'],
  ])('refuses %s', (_what, text) => {
    expect(parse(text)).toBeUndefined();
  });

  it('isPlainObject accepts only objects', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject('x')).toBe(false);
  });
});
