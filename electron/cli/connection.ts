import type { Command } from 'commander';
import { createHttpApiClient } from '../../shared/api/http-client';
import type { ApiClient } from '../../shared/api/operations';
import { CliError } from './cli-error';

export const DEFAULT_STATION_URL = 'http://127.0.0.1:8080';

/** Options every command that talks to a running station accepts. */
export interface ConnectionOptions {
  station: string;
  token?: string;
  stationToken?: string;
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
      'access token of the station, if it requires one (env FIELD_OTA_TOKEN)',
      process.env.FIELD_OTA_TOKEN || undefined,
    )
    .option('--json', 'print the result as JSON');
}

export interface Connection {
  client: ApiClient;
  stationUrl: string;
  token: string | undefined;
}

export function connect(options: ConnectionOptions): Connection {
  const stationUrl = checkStationUrl(options.station);
  const token = options.stationToken ?? options.token;
  return { client: createHttpApiClient(stationUrl, { token }), stationUrl, token };
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
