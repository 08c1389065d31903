/**
 * Runs the real curl against the station, as a device or a technician would, and returns the
 * status, headers and body it got. Everything curl is told is in `args`: nothing is added but
 * the output capture.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Station } from '../../electron/core/station';

export interface CurlResult {
  status: number;
  /** Header names in lower case; the last response's headers (after a 100 Continue). */
  headers: Record<string, string>;
  body: Buffer;
  /** curl's own exit code (0, or e.g. 18 for a transfer cut short). */
  exitCode: number;
}

/** The station's HTTP device API base, e.g. http://127.0.0.1:41234. */
export function httpDeviceBase(station: Station, scheme: 'http' | 'https' = 'http'): string {
  return `${scheme}://127.0.0.1:${station.httpDeviceAddress().port}`;
}

interface CaptureFiles {
  dir: string;
  headers: string;
  body: string;
}

function outputFiles(): CaptureFiles {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-curl-'));
  return { dir, headers: path.join(dir, 'headers'), body: path.join(dir, 'body') };
}

/** curl's arguments: `args`, with the status, headers and body captured into files. */
function captured(
  files: CaptureFiles,
  args: string[],
  maxSeconds: number,
  bodyFile = files.body,
): string[] {
  return [
    '-sS',
    '--max-time',
    String(maxSeconds),
    '-D',
    files.headers,
    '-o',
    bodyFile,
    '-w',
    '%{http_code}',
    ...args,
  ];
}

/** What curl got, read back from its capture (then removed); the body only when asked for. */
function collected(
  files: CaptureFiles,
  stdout: string,
  exitCode: number,
  withBody: boolean,
): CurlResult {
  try {
    return {
      status: Number(stdout.trim()) || 0,
      headers: parseHeaders(readOr(files.headers, '')),
      body: withBody && fs.existsSync(files.body) ? fs.readFileSync(files.body) : Buffer.alloc(0),
      exitCode,
    };
  } finally {
    fs.rmSync(files.dir, { recursive: true, force: true });
  }
}

/** `curl -sS <args> -D headers -o body -w %{http_code}`, bounded to `maxSeconds`. */
export function curl(args: string[], options: { maxSeconds?: number } = {}): Promise<CurlResult> {
  const files = outputFiles();
  const all = captured(files, args, options.maxSeconds ?? 20);
  return new Promise((resolve, reject) => {
    execFile('curl', all, { encoding: 'utf8' }, (error, stdout) => {
      const exitCode = error ? ((error as { code?: number }).code ?? -1) : 0;
      if (typeof exitCode !== 'number') {
        fs.rmSync(files.dir, { recursive: true, force: true });
        return reject(error);
      }
      resolve(collected(files, stdout, exitCode, true));
    });
  });
}

/** curl downloading into `file` itself (for `-C -`, which resumes what the file holds). */
export function curlToFile(file: string, args: string[]): Promise<CurlResult> {
  const files = outputFiles();
  const all = captured(files, args, 30, file);
  return new Promise((resolve) => {
    execFile('curl', all, { encoding: 'utf8' }, (error, stdout) => {
      const exitCode = error ? Number((error as { code?: number }).code ?? -1) : 0;
      resolve(collected(files, stdout, exitCode, false));
    });
  });
}

/** A curl left running (a long poll): its result once it ends. */
export function curlInBackground(args: string[]): {
  child: ChildProcess;
  done: Promise<CurlResult>;
} {
  const files = outputFiles();
  const child = spawn('curl', captured(files, args, 30));
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const done = new Promise<CurlResult>((resolve) =>
    child.once('close', (code) => resolve(collected(files, stdout, code ?? -1, true))),
  );
  return { child, done };
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch {
    return fallback;
  }
}

/** The last header block of a -D dump (interim 100 Continue blocks come first). */
function parseHeaders(dump: string): Record<string, string> {
  const blocks = dump.split(/\r?\n\r?\n/).filter((b) => b.trim() !== '');
  const last = blocks.at(-1) ?? '';
  const headers: Record<string, string> = {};
  for (const line of last.split(/\r?\n/).slice(1)) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  return headers;
}
