/**
 * The endpoint against the Eclipse Mosquitto command-line clients, MQTT 3.1.1 and 5: an
 * independent implementation from MQTT.js and mqtt-packet.
 */
import { execFile, execFileSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { waitFor } from '../support/wait';
import { endpointScopePerTest } from './mqtt-endpoint-scope';

const haveMosquitto = (() => {
  try {
    execFileSync('mosquitto_pub', ['--help'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // --help exits non-zero but proves the binary runs.
    return (err as { status?: number }).status !== undefined;
  }
})();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], timeoutMs = 15_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? Number((err as { code?: unknown }).code ?? 1) : 0;
      resolve({ code: Number.isNaN(code) ? 1 : code, stdout, stderr });
    });
  });
}

const { start } = endpointScopePerTest();

/** Where the tools find the endpoint and which MQTT version they speak. */
function endpointArgs(port: number, version: string): string[] {
  return ['-h', '127.0.0.1', '-p', String(port), '-V', version];
}

describe.skipIf(!haveMosquitto).each(['mqttv311', 'mqttv5'])(
  'mosquitto clients with -V %s',
  (v) => {
    it('mosquitto_sub receives what the API layer publishes to its session', async () => {
      const current = await start();
      const { port, endpoint } = current;
      const sub = run('mosquitto_sub', [
        ...endpointArgs(port, v),
        '-u',
        'good-token',
        '-i',
        `sub-${v}`,
        '-t',
        'notify/+',
        '-q',
        '2',
        '-C',
        '1',
        '-W',
        '10',
        '-v',
      ]);
      await waitFor(() => [...endpoint.sessions].some((s) => s.isSubscribed('notify/hello')), {
        what: 'mosquitto_sub to subscribe',
        timeoutMs: 10_000,
      });
      const session = [...endpoint.sessions].find((s) => s.clientId === `sub-${v}`);
      expect(session?.protocolVersion).toBe(v === 'mqttv5' ? 5 : 4);
      session?.publish('notify/hello', `hello ${v}`);
      const result = await sub;
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(`notify/hello hello ${v}`);
    });

    it('mosquitto_sub is told when a filter is refused', async () => {
      const current = await start();
      const result = await run('mosquitto_sub', [
        ...endpointArgs(current.port, v),
        '-u',
        'good-token',
        '-t',
        'not/offered',
        '-C',
        '1',
        '-W',
        '5',
      ]);
      expect(result.stderr).toMatch(/All subscription requests were denied/);
    });

    it('mosquitto_pub with a good token delivers at QoS 1', async () => {
      const current = await start();
      const result = await run('mosquitto_pub', [
        ...endpointArgs(current.port, v),
        '-u',
        'good-token',
        '-t',
        'v1/devices/me/telemetry',
        '-q',
        '1',
        '-m',
        '{"fw_state":"DOWNLOADING"}',
      ]);
      expect(result.code).toBe(0);
      expect(current.recorded.published.map((p) => p.message)).toMatchObject([
        { topic: 'v1/devices/me/telemetry', qos: 1 },
      ]);
      expect(current.recorded.published[0]?.message.payload.toString()).toBe(
        '{"fw_state":"DOWNLOADING"}',
      );
    });

    it('mosquitto_pub with a bad or missing token is refused', async () => {
      const current = await start();
      const expected = v === 'mqttv5' ? /Bad User Name or Password/i : /not authori[sz]ed/i;
      for (const auth of [['-u', 'stolen-token'], []]) {
        const result = await run('mosquitto_pub', [
          ...endpointArgs(current.port, v),
          ...auth,
          '-t',
          'v1/devices/me/telemetry',
          '-m',
          '{}',
        ]);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(expected);
      }
      expect(current.recorded.published).toHaveLength(0);
    });
  },
);

describe.skipIf(!haveMosquitto)('mosquitto_pub with MQTT 5', () => {
  it('shows the PUBACK reason code of a rejected publish', async () => {
    const current = await start();
    const result = await run('mosquitto_pub', [
      ...endpointArgs(current.port, 'mqttv5'),
      '-u',
      'good-token',
      '-t',
      'bad',
      '-q',
      '1',
      '-m',
      'x',
    ]);
    expect(result.stderr).toMatch(/Topic Name invalid/);
  });
});
