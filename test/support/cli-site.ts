import { type HeadlessHttp, startHeadlessHttp } from '../../electron/core/http/headless-http';
import { cliInProcess } from './cli-in-process';
import { startStationFixture, type StationFixture } from './station-fixture';

export type CliResult = Awaited<ReturnType<typeof cliInProcess>>;

export interface CliOver {
  /** `field-ota ...args` in this process, told the station's address and data folder. */
  cli(args: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

/** The station's HTTP API, as the headless station serves it, for the CLI run in this process. */
export async function cliOver(site: Pick<StationFixture, 'station' | 'dataDir'>): Promise<CliOver> {
  const http: HeadlessHttp = await startHeadlessHttp({
    station: site.station,
    port: 0,
    staticDir: site.dataDir,
  });
  const at = ['--station', http.url, '--data-dir', site.dataDir];
  return { cli: (args) => cliInProcess([...args, ...at]), close: () => http.close() };
}

export type CliSite = StationFixture & Pick<CliOver, 'cli'>;

/** A real station on a temporary folder with the CLI pointed at it (closed in the right order). */
export async function startCliSite(): Promise<CliSite> {
  const site = await startStationFixture();
  const api = await cliOver(site);
  return {
    ...site,
    cli: api.cli,
    close: async () => {
      await api.close();
      await site.close();
    },
  };
}
