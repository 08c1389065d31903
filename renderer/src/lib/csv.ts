/** Splits CSV text into rows of fields (RFC 4180: quotes, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export interface DeviceCsvRow {
  line: number;
  name: string;
  profile: string;
  label: string;
  token: string;
}

export interface DeviceCsvProblem {
  line: number;
  message: string;
}

/**
 * Reads `name,profile[,label][,token]` lines. A first line naming the columns is skipped;
 * blank lines are ignored; a line without name or profile is reported, not guessed.
 */
export function readDeviceCsv(text: string): {
  rows: DeviceCsvRow[];
  problems: DeviceCsvProblem[];
} {
  const rows: DeviceCsvRow[] = [];
  const problems: DeviceCsvProblem[] = [];
  const seen = new Map<string, number>();
  parseCsv(text).forEach((fields, index) => {
    const line = index + 1;
    const [name = '', profile = '', label = '', token = ''] = fields.map((f) => f.trim());
    if (fields.every((f) => f.trim() === '')) return;
    if (index === 0 && name.toLowerCase() === 'name' && profile.toLowerCase() === 'profile') return;
    if (name === '') return problems.push({ line, message: 'the device name is missing' });
    if (profile === '')
      return problems.push({ line, message: `${name}: the device profile is missing` });
    if (fields.length > 4) return problems.push({ line, message: `${name}: more than 4 columns` });
    const first = seen.get(name);
    if (first !== undefined)
      return problems.push({ line, message: `${name} is already on line ${first}` });
    seen.set(name, line);
    rows.push({ line, name, profile, label, token });
  });
  return { rows, problems };
}
