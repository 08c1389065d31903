import type { HttpStation } from './http-station';
import { type HttpServerHandle, type HttpServerOptions, startHttpServer } from './server';
import {
  newStationSecret,
  removeStationSecret,
  uiAddress,
  writeStationSecret,
} from './station-secret';

export interface HeadlessHttpOptions extends Omit<HttpServerOptions, 'secret' | 'station'> {
  station: HttpStation & { readonly dataDir: string };
}

export interface HeadlessHttp extends HttpServerHandle {
  /** This start's secret, also in the data folder (0600) for the CLI. */
  readonly secret: string;
  /** The address to open in a browser: it carries the secret (…/?token=…). */
  readonly uiUrl: string;
}

/**
 * The headless station's HTTP API with a secret of its own for this start: created, required by
 * the server, and left in the data folder once listening (a start that failed, say on a port in
 * use, must not replace the secret of a station already running there); removed at close.
 */
export async function startHeadlessHttp(options: HeadlessHttpOptions): Promise<HeadlessHttp> {
  const secret = newStationSecret();
  const server = await startHttpServer({ ...options, secret });
  const { dataDir } = options.station;
  try {
    await writeStationSecret(dataDir, secret);
  } catch (error) {
    await server.close();
    throw error;
  }
  let closing: Promise<void> | null = null;
  return {
    url: server.url,
    port: server.port,
    secret,
    uiUrl: uiAddress(server.url, secret),
    close() {
      closing ??= server.close().then(() => removeStationSecret(dataDir, secret));
      return closing;
    },
  };
}
