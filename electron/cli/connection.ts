import type { Command } from 'commander';

import { ApiError } from '../../shared/api/errors';
import { createHttpApiClient } from '../../shared/api/http-client';
import type { ApiClient } from '../../shared/api/operations';
import { DEFAULT_HTTP_PORT } from '../core/http/default-port';
import { isLoopbackHost } from '../core/http/loopback';
import { readStationSecret, STATION_SECRET_FILE } from '../core/http/station-secret';
import { defaultDataDir } from '../core/station';
import { CliError } from './cli-error';

export const DEFAULT_STATION_URL = `http://127.0.0.1:${DEFAULT_HTTP_PORT}`;

/** Options every command that talks to a running station accepts. */
export interface ConnectionOptions {
  station: string;
  token?: string;
  stationToken?: string;
  /** The data folder of a station on this computer: its per-start secret is read from there. */
  dataDir: string;
  json?: boolean;
}

/**
 * Adds --station, --token and --json. A command whose own --token means something else
 * (`device add --token` is the device's MQTT token) takes the station's as --station-token.
 */
export function withConnectionOptions(
  command: Command,
  tokenFlag: '--token' | '--station-token' = '--token',
): Command {
  return command
    .option(
      '--station <url>',
      'address of the running station (env FIELD_OTA_STATION)',
      process.env.FIELD_OTA_STATION || DEFAULT_STATION_URL,
    )
    .option(
      `${tokenFlag} <token>`,
      "the station's --http-token, when it is on another computer (env FIELD_OTA_TOKEN)",
      process.env.FIELD_OTA_TOKEN || undefined,
    )
    .option(
      '--data-dir <dir>',
      'data folder of the station on this computer, whose per-start secret is used (env FIELD_OTA_DATA_DIR)',
      process.env.FIELD_OTA_DATA_DIR || defaultDataDir(),
    )
    .option('--json', 'print the result as JSON');
}

export interface Connection {
  client: ApiClient;
  stationUrl: string;
  token: string | undefined;
  /** Turns a refusal of the local secret into what to do about it (rethrows anything else). */
  explain: (error: unknown) => never;
}

/**
 * A given token wins. Otherwise a station on this computer is sent the secret it wrote in its data
 * folder (readable by this account only); a station elsewhere never is.
 */
export function connect(options: ConnectionOptions): Connection {
  const stationUrl = checkStationUrl(options.station);
  const given = options.stationToken ?? options.token;
  const local = given === undefined && isLoopbackHost(new URL(stationUrl).hostname);
  const token = local ? (readStationSecret(options.dataDir) ?? undefined) : given;
  const client = createHttpApiClient(stationUrl, { token });
  if (!local)
    return {
      client,
      stationUrl,
      token,
      explain: (error) => {
        throw error;
      },
    };
  const explain = refusalHint(options.dataDir, token !== undefined);
  return {
    client: { call: (name, input) => client.call(name, input).catch(explain) },
    stationUrl,
    token,
    explain,
  };
}

/** A refused secret most likely means the station was started on another data folder: say so. */
function refusalHint(dataDir: string, found: boolean): (error: unknown) => never {
  return (error) => {
    if (!(error instanceof ApiError) || error.code !== 'UNAUTHORIZED') throw error;
    const what = found
      ? `The secret in ${dataDir} is not this station's`
      : `No station secret (${STATION_SECRET_FILE}) in ${dataDir}`;
    throw new CliError(
      `${error.message}\n${what}: give the station's data folder with --data-dir (or FIELD_OTA_DATA_DIR), or its --http-token with --token.`,
    );
  };
}

function checkStationUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`--station "${raw}" is not a URL (expected e.g. ${DEFAULT_STATION_URL}).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(
      `--station "${raw}" must be an http:// or https:// address (expected e.g. ${DEFAULT_STATION_URL}).`,
    );
  }
  // Keep a path prefix (a station behind a reverse proxy); drop the trailing slash.
  return url.href.replace(/\/+$/, '');
}
