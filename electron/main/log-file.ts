import fs from 'node:fs';
import path from 'node:path';

import { escapeControlChars } from '../../shared/text/control-chars';
import type { LogLevel } from '../core/log';
import { ensureOwnerOnlyDir, OWNER_ONLY_FILE } from '../core/storage/owner-only';

export const LOG_FILE = 'main.log';
/** Logged by main once the station is up, with its MQTT address; CI's launch checks wait for it. */
export const SERVING_MESSAGE = 'station serving devices on';
const PREVIOUS_LOG_FILE = 'main.1.log';
const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

/**
 * The main process's log in <data>/logs: one line per event, appended synchronously (few lines,
 * and a crash right after must not lose the one that explains it). Past maxBytes the file
 * becomes main.1.log and a new one starts, so the log never grows without bound.
 */
export class LogFile {
  readonly dir: string;
  private size: number;

  constructor(
    dir: string,
    private readonly maxBytes = DEFAULT_MAX_BYTES,
    private readonly echo: (line: string) => void = () => undefined,
  ) {
    this.dir = dir;
    ensureOwnerOnlyDir(dir);
    this.size = fileSize(this.current);
  }

  get current(): string {
    return path.join(this.dir, LOG_FILE);
  }

  write(level: LogLevel, message: string): void {
    // Continuation lines are indented and every other control character is escaped: a device
    // string quoted in a message cannot start a line that looks like an entry of its own.
    const text = message.split(/\r?\n/).map(escapeControlChars).join('\n    ');
    const line = `${new Date().toISOString()} ${level.toUpperCase()} ${text}\n`;
    this.echo(line);
    try {
      if (this.size + line.length > this.maxBytes && this.size > 0) {
        fs.renameSync(this.current, path.join(this.dir, PREVIOUS_LOG_FILE));
        this.size = 0;
      }
      fs.appendFileSync(this.current, line, { mode: OWNER_ONLY_FILE });
      this.size += Buffer.byteLength(line);
    } catch {
      // A full or read-only disk must not take the app down because of its log.
    }
  }

  /** The log's text, oldest first (the rotated file, then the current one). */
  read(): string {
    return [PREVIOUS_LOG_FILE, LOG_FILE]
      .map((name) => {
        try {
          return fs.readFileSync(path.join(this.dir, name), 'utf8');
        } catch {
          return '';
        }
      })
      .join('');
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

export interface LogExportInput {
  header: Record<string, string>;
  sections: { title: string; lines: readonly string[] }[];
  mainLog: string;
}

/** One text file to attach to a support request: versions, station state, recent errors, the log. */
export function formatLogExport(input: LogExportInput): string {
  const out: string[] = ['ServicePleX Field OTA: exported logs', ''];
  for (const [key, value] of Object.entries(input.header))
    out.push(`${key}: ${escapeControlChars(value)}`);
  for (const section of input.sections) {
    // One entry, one line: client ids and device messages come from the network.
    const lines = section.lines.map(escapeControlChars);
    out.push('', `== ${section.title} (${lines.length}) ==`, ...lines);
  }
  out.push('', '== Main process log ==', input.mainLog.trimEnd(), '');
  return out.join('\n');
}

/** Written next to the target and renamed, so a half-written export never replaces a good file. */
export async function writeFileAtomically(target: string, text: string): Promise<void> {
  const temp = `${target}.${process.pid}.tmp`;
  await fs.promises.writeFile(temp, text, 'utf8');
  await fs.promises.rename(temp, target);
}
