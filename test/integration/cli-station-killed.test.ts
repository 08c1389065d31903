import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { packageAddArgs, stationArgs } from '../support/cli-args';
import {
  ensureBuilt,
  run,
  type RunningStation,
  type RunResult,
  startStationProcess,
} from '../support/cli-process';

// A request whose connection ends without an answer must never look like success: the CLI says
// the station went away and exits non-zero (it used to exit 0 with no output).
describe('field-ota when the station is killed while it waits for the answer', () => {
  let dir: string;
  let station: RunningStation | undefined;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    await ensureBuilt();
  }, 180_000);
  afterEach(async () => {
    if (station && station.child.exitCode === null && station.child.signalCode === null) {
      station.child.kill('SIGKILL');
      await station.exited;
    }
    station = undefined;
    for (const close of closers.splice(0)) close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function startStation(): Promise<RunningStation> {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-killed-cli-'));
    station = await startStationProcess(stationArgs(path.join(dir, 'data')));
    return station;
  }

  /** SIGKILLs the station once `ready` holds, while `command` runs; returns how the CLI ended. */
  async function killDuring(
    running: RunningStation,
    command: Promise<RunResult>,
    ready: () => boolean,
  ): Promise<RunResult> {
    const deadline = Date.now() + 30_000;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error('the request never got under way');
      await new Promise((r) => setTimeout(r, 5));
    }
    running.child.kill('SIGKILL');
    return command;
  }

  it('package add: mid-upload', async () => {
    const running = await startStation();
    const file = path.join(dir, 'big.bin');
    fs.writeFileSync(file, Buffer.alloc(256 * 1024 * 1024, 7));
    expect((await run(['profile', 'add', 'CIM-168'], running.env)).code).toBe(0);
    const tmp = path.join(running.dataDir, 'packages', 'tmp');
    const arriving = () =>
      fs.readdirSync(tmp).some((name) => fs.statSync(path.join(tmp, name)).size > 1024 * 1024);
    const command = run(packageAddArgs({ file, version: '9.9.9' }), running.env);
    const result = await killDuring(running, command, arriving);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /The station at http:\/\/127\.0\.0\.1:\d+ closed the connection before answering/,
    );
    expect(result.stderr).toContain('not known');
    expect(result.stdout).toBe('');
  }, 90_000);

  it('cloud login: while the station waits for a cloud that never answers', async () => {
    const running = await startStation();
    // A "cloud" that accepts connections and never says a word.
    let connected = false;
    const silent = net.createServer((socket) => {
      connected = true;
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closers.push(() => silent.close());
    const { port } = silent.address() as net.AddressInfo;
    const command = run(
      ['cloud', 'login', '--url', `http://127.0.0.1:${port}`, '--username', 'tech'],
      { ...running.env, FIELD_OTA_CLOUD_PASSWORD: 'secret' },
    );
    const result = await killDuring(running, command, () => connected);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /The station at http:\/\/127\.0\.0\.1:\d+ closed the connection before answering/,
    );
    expect(result.stderr).toContain('not known');
  }, 90_000);
});
