import { describe, expect, it } from 'vitest';

import { parseAttributeRequest } from '../../electron/core/device-api/attribute-request';

const parse = (text: string) => parseAttributeRequest(JSON.parse(text));

describe('attribute request payload (docs/device-protocol.md#attribute-requests)', () => {
  it('{} asks for every attribute of both groups', () => {
    expect(parse('{}')).toEqual({ clientKeys: 'all', sharedKeys: 'all' });
  });

  it('comma-separated keys, as the seed sends them', () => {
    expect(parse('{"sharedKeys":"fw_title,fw_version,fw_size"}')).toEqual({
      clientKeys: undefined,
      sharedKeys: ['fw_title', 'fw_version', 'fw_size'],
    });
    expect(parse('{"clientKeys":"a,b"}')).toEqual({
      clientKeys: ['a', 'b'],
      sharedKeys: undefined,
    });
    expect(parse('{"clientKeys":"a","sharedKeys":"fw_title"}')).toEqual({
      clientKeys: ['a'],
      sharedKeys: ['fw_title'],
    });
  });

  it('ignores spaces and empty items between commas', () => {
    expect(parse('{"clientKeys":" a , b ,, "}')).toEqual({
      clientKeys: ['a', 'b'],
      sharedKeys: undefined,
    });
    expect(parse('{"clientKeys":""}')).toEqual({ clientKeys: [], sharedKeys: undefined });
  });

  it('accepts arrays of keys leniently', () => {
    expect(parse('{"sharedKeys":["fw_title","fw_version"]}')).toEqual({
      clientKeys: undefined,
      sharedKeys: ['fw_title', 'fw_version'],
    });
  });

  it.each([
    ['a number', '5'],
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"fw_title"'],
    ['numeric keys', '{"clientKeys":5}'],
    ['an array with a number', '{"sharedKeys":["fw_title",1]}'],
    ['an object as keys', '{"sharedKeys":{"a":1}}'],
    ['null keys', '{"clientKeys":null}'],
  ])('refuses %s', (_what, text) => {
    expect(parse(text)).toBeUndefined();
  });
});
