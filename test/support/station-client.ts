import { readStationSecret } from '../../electron/core/http/station-secret';
import { createHttpApiClient, type HttpClientOptions } from '../../shared/api/http-client';
import type { ApiClient } from '../../shared/api/operations';

/** A headless station on this computer: its address and the data folder holding its secret. */
export interface LocalStation {
  httpUrl: string;
  dataDir: string;
}

/** How a client on this computer authenticates: the secret the station wrote in its data folder, as the CLI reads it. */
export function stationAuth(station: LocalStation): HttpClientOptions {
  const token = readStationSecret(station.dataDir);
  if (token === null) throw new Error(`no station secret in ${station.dataDir}`);
  return { token };
}

/** The station's API from the test's side, authenticated as the technician's own CLI is. */
export function stationClient(station: LocalStation): ApiClient {
  return createHttpApiClient(station.httpUrl, stationAuth(station));
}
