import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const READY_TIMEOUT_MS = 20_000;

export interface StationProcessOptions {
  /** Reuse a data folder (a restarted station); by default a new temporary one. */
  dataDir?: string;
  /** Default 0 (any free port). */
  httpPort?: number;
  mqttPort?: number;
  /** Keep the data folder on stop (to start again on it). */
  keepDataDir?: boolean;
}

export interface StationProcess {
  /** e.g. http://127.0.0.1:43121 */
  httpUrl: string;
  /** e.g. mqtt://127.0.0.1:40123 */
  mqttUrl: string;
  dataDir: string;
  /** Everything the station wrote to stderr (for failure messages). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * The real headless station (`node bin/field-ota.js station`) on a temporary data folder
 * and free ports, as a technician would start it. Needs `npm run build` first.
 */
export async function startStationProcess(
  options: StationProcessOptions = {},
): Promise<StationProcess> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-e2e-'));
  const keep = options.keepDataDir ?? false;
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'field-ota.js'),
      'station',
      '--data-dir',
      dataDir,
      '--mqtt-port',
      String(options.mqttPort ?? 0),
      '--http-port',
      String(options.httpPort ?? 0),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr = (stderr + text).slice(-20_000);
  });
  try {
    const ready = await readyLine(child, () => stderr);
    return {
      httpUrl: ready.http,
      mqttUrl: ready.mqtt,
      dataDir,
      stderr: () => stderr,
      stop: () => stop(child, keep ? null : dataDir),
    };
  } catch (error) {
    await stop(child, keep ? null : dataDir);
    throw error;
  }
}

function readyLine(
  child: ChildProcess,
  stderr: () => string,
): Promise<{ http: string; mqtt: string }> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () => fail(new Error(`no ready line within ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      lines.close();
      reject(new Error(`${error.message}\nstation stderr:\n${stderr()}`));
    };
    child.once('exit', (code) => fail(new Error(`the station exited with code ${code}`)));
    // The line a technician sees: "... station ready: mqtt://127.0.0.1:1883 http://127.0.0.1:8080 data=..."
    lines.on('line', (line) => {
      const match = /ready: (mqtts?:\/\/\S+) (https?:\/\/\S+)/.exec(line);
      if (match?.[1] && match[2]) {
        clearTimeout(timer);
        lines.close();
        resolve({ mqtt: match[1], http: match[2] });
      }
    });
  });
}

async function stop(child: ChildProcess, dataDir: string | null): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}

/** A port free right now (for a station that must come back on the same address). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
