/**
 * The cloud emulator on its own, to try sync by hand: `npm run cloud:emulator -- --demo`, then
 * sign the station in to the printed URL (field-ota cloud login --url ... ).
 */
import { parseArgs } from 'node:util';

import { DEFAULT_USERS, startCloudEmulator, STOCK_UPLOAD_LIMIT } from './emulator';
import { ALL_FAULT_KINDS, type FaultKind } from './faults';
import { firmwareBytes, seedSite } from './seed';

const HELP = `Usage: npm run cloud:emulator -- [options]

A ThingsBoard-compatible cloud (REST subset of docs/cloud-api.md) on 127.0.0.1.

  --port N             port to listen on (default 8180; 0 picks a free one)
  --username NAME      sign-in name (default ${DEFAULT_USERS[0].username})
  --password TEXT      sign-in password (default ${DEFAULT_USERS[0].password})
  --token-ttl SECONDS  access-token lifetime (default 900)
  --upload-limit BYTES largest package upload (default ${STOCK_UPLOAD_LIMIT}, a stock server's 16 MiB)
  --fault-rate R       share of requests (0..1) that get a random fault (default 0)
  --fault-kinds LIST   comma-separated, from: ${ALL_FAULT_KINDS.join(', ')}
  --ignore-range       answer downloads whole (200) even when asked for a range
  --seed N             seed of the random faults (default 1)
  --demo               start with a demo site: profile CIM-168, 5 devices, packages 1.0.0 and 1.0.1
  --help               this text
`;

function number(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new Error(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'token-ttl': { type: 'string' },
      'upload-limit': { type: 'string' },
      'fault-rate': { type: 'string' },
      'fault-kinds': { type: 'string' },
      seed: { type: 'string' },
      'ignore-range': { type: 'boolean' },
      demo: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const kinds = values['fault-kinds']?.split(',').map((k) => k.trim());
  const unknown = kinds?.filter((k) => !(ALL_FAULT_KINDS as readonly string[]).includes(k));
  if (unknown?.length) throw new Error(`Unknown fault kind(s): ${unknown.join(', ')}`);
  const username = values.username ?? DEFAULT_USERS[0].username;
  const password = values.password ?? DEFAULT_USERS[0].password;
  const cloud = await startCloudEmulator({
    port: number('port', values.port, 8180, 0, 65535),
    users: [{ username, password }],
    tokenTtlMs: number('token-ttl', values['token-ttl'], 900, 1, 365 * 86400) * 1000,
    maxUploadBytes: number('upload-limit', values['upload-limit'], STOCK_UPLOAD_LIMIT, 1, 2 ** 40),
    ignoreRange: values['ignore-range'] === true,
  });
  const rate = number('fault-rate', values['fault-rate'], 0, 0, 1);
  if (rate > 0)
    cloud.faults.setRandom({
      rate,
      seed: number('seed', values.seed, 1, 0, 2 ** 32),
      ...(kinds ? { kinds: kinds as FaultKind[] } : {}),
    });
  if (values.demo) {
    seedSite(cloud.state, {
      profile: 'CIM-168',
      devices: Array.from({ length: 5 }, (_, i) => ({
        name: `CIM-168-02-22-9${i}`,
        token: `CIM1680222900TOKEN${i}`,
      })),
      packages: [
        { title: 'CIM-168', version: '1.0.0', data: firmwareBytes(64 * 1024, 1) },
        { title: 'CIM-168', version: '1.0.1', data: firmwareBytes(256 * 1024, 2) },
      ],
      firmware: { 'CIM-168-02-22-90': 'CIM-168@1.0.1', 'CIM-168-02-22-91': 'CIM-168@1.0.1' },
    });
  }
  process.stdout.write(
    `Cloud emulator ready: ${cloud.url}  (sign in as ${username} / ${password})` +
      `${values.demo ? '  demo site loaded' : ''}${rate > 0 ? `  faults on ${rate * 100}% of requests` : ''}\n`,
  );
  const stop = () => {
    const stats = cloud.stats();
    process.stdout.write(
      `\nrequests ${stats.requests}, faults injected ${stats.faultsInjected}; stopping\n`,
    );
    void cloud.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `cloud emulator: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
