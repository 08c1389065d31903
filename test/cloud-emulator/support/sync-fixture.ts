import type { StationOptions } from '../../../electron/core/station';
import { MemorySecretStore, type SecretStore } from '../../../electron/core/sync/secret-store';
import type {
  OperationInput,
  OperationName,
  OperationResult,
} from '../../../shared/api/operations';
import { parseArgs } from '../../../shared/api/validate';
import { startStationFixture, type StationFixture } from '../../support/station-fixture';
import {
  type CloudEmulator,
  type CloudEmulatorOptions,
  DEFAULT_USERS,
  startCloudEmulator,
} from '../emulator';

/** Sync settings for tests: no timer, fast backoff, small pages (so paging is exercised). */
export const TEST_SYNC = {
  autoSync: false,
  retry: { maxAttempts: 8, backoff: { baseMs: 5, capMs: 80 }, maxRetryAfterMs: 5_000 },
  idleTimeoutMs: 5_000,
  pageSize: 3,
  telemetryBatch: 20,
} satisfies StationOptions['sync'];

export interface SyncFixture {
  cloud: CloudEmulator;
  site: StationFixture;
  secrets: SecretStore;
  call<N extends OperationName>(name: N, input: OperationInput<N>): Promise<OperationResult<N>>;
  login(): Promise<OperationResult<'cloud.login'>>;
  close(): Promise<void>;
}

/** A cloud emulator and a station on temporary folders, both on 127.0.0.1 with free ports. */
export async function startSyncFixture(
  options: {
    cloud?: CloudEmulatorOptions;
    station?: Partial<StationOptions>;
    cloudInstance?: CloudEmulator;
  } = {},
): Promise<SyncFixture> {
  const cloud = options.cloudInstance ?? (await startCloudEmulator(options.cloud));
  const secrets = options.station?.secretStore ?? new MemorySecretStore();
  const site = await startStationFixture({
    ...options.station,
    secretStore: secrets,
    sync: { ...TEST_SYNC, ...options.station?.sync },
  });
  const call = <N extends OperationName>(
    name: N,
    input: OperationInput<N>,
  ): Promise<OperationResult<N>> => {
    const handler = site.station.api[name] as (args: unknown) => Promise<OperationResult<N>>;
    return handler(parseArgs(name, input));
  };
  const user = DEFAULT_USERS[0];
  return {
    cloud,
    site,
    secrets,
    call,
    login: () =>
      call('cloud.login', { url: cloud.url, username: user.username, password: user.password }),
    close: async () => {
      await site.close();
      if (!options.cloudInstance) await cloud.close();
    },
  };
}
