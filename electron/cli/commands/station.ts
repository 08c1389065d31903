import fs from 'node:fs';

import { Command } from 'commander';

import { DEFAULT_HTTP_DEVICE_PORT } from '../../../shared/protocol/http-device-api';
import type { UplinkLimitOptions } from '../../core/device-api/uplink-limits';
import { appVersion } from '../../core/http/app-root';
import { DEFAULT_HTTP_PORT } from '../../core/http/default-port';
import { type HeadlessHttp, startHeadlessHttp } from '../../core/http/headless-http';
import { hostForUrl } from '../../core/http/loopback';
import { assertSafeBinding } from '../../core/http/server';
import { listenErrorHost } from '../../core/site-network';
import { defaultDataDir, failedListener, startStation, type Station } from '../../core/station';
import { CliError } from '../cli-error';
import { integerIn, port, rateLimit } from '../option-parsers';
import { printJson, printLine } from '../output';

interface StationOptions {
  dataDir: string;
  /** Undefined when not given: the Station page switch's saved choice decides. */
  mqttHost?: string;
  mqttPort: number;
  /** Undefined when not given: 8080, or any free port with --mqtt-port 0. */
  httpDevicePort?: number;
  httpDeviceTlsCert?: string;
  httpDeviceTlsKey?: string;
  httpHost: string;
  coapPort?: number;
  httpPort: number;
  httpToken?: string;
  maxChunkBytes?: number;
  telemetryMaxAgeDays?: number;
  maxConnections?: number;
  maxSessionsPerDevice?: number;
  maxKeepalive?: number;
  maxTelemetryBytes?: number;
  telemetryRate?: string;
  telemetryPointsRate?: string;
  telemetryBytesRate?: string;
  mqttTlsCert?: string;
  mqttTlsKey?: string;
  json?: boolean;
}

export function stationCommand(): Command {
  return new Command('station')
    .description(
      'run the headless station: MQTT and HTTP device APIs + HTTP API and UI, until Ctrl+C',
    )
    .option(
      '--data-dir <dir>',
      'where the database and package cache live (env FIELD_OTA_DATA_DIR)',
      process.env.FIELD_OTA_DATA_DIR || defaultDataDir(),
    )
    .option(
      '--mqtt-host <host>',
      'address the device API listens on (0.0.0.0: the site network), over the Station page switch; default: as the switch was left (127.0.0.1 at first)',
    )
    .option('--mqtt-port <port>', 'MQTT port (0: any free port)', port, 1883)
    .option(
      '--http-device-port <port>',
      `port of the HTTP device API, on the MQTT host (default ${DEFAULT_HTTP_DEVICE_PORT} as ThingsBoard; 0, or left out with --mqtt-port 0: any free port)`,
      port,
    )
    .option(
      '--coap-port <port>',
      'CoAP device API UDP port, on the MQTT address (default 5683; 0, or --mqtt-port 0: any free port)',
      port,
    )
    .option(
      '--http-host <host>',
      'address of the HTTP API and UI (not loopback: --http-token required)',
      '127.0.0.1',
    )
    .option(
      '--http-port <port>',
      'port of the HTTP API and UI (0: any free port)',
      port,
      DEFAULT_HTTP_PORT,
    )
    .option(
      '--http-token <token>',
      'bearer token the HTTP API requires (env FIELD_OTA_HTTP_TOKEN)',
      process.env.FIELD_OTA_HTTP_TOKEN || undefined,
    )
    .option(
      '--max-chunk-bytes <n>',
      'largest firmware chunk a device may ask for',
      integerIn(1, 256 * 1024 * 1024),
    )
    .option(
      '--telemetry-max-age-days <days>',
      'delete telemetry older than this even if never pushed to the cloud (default 7)',
      integerIn(1, 3650),
    )
    .option(
      '--max-connections <n>',
      'MQTT connections open at once (default 16384); over it a device is told to come back later',
      integerIn(1, 1_000_000),
    )
    .option(
      '--max-sessions-per-device <n>',
      'MQTT sessions one access token may hold at once (default 10)',
      integerIn(1, 100_000),
    )
    .option(
      '--max-keepalive <seconds>',
      'largest MQTT keep-alive granted; a device asking for 0 or more gets this (default 300)',
      integerIn(1, 65535),
    )
    .option(
      '--max-telemetry-bytes <n>',
      'largest telemetry or attributes message a device may send (default 65536)',
      integerIn(1, 256 * 1024 * 1024),
    )
    .option(
      '--telemetry-rate <N:s,...>',
      'telemetry messages per device, told to devices (default 20:1,600:60,6000:3600)',
      rateLimit,
    )
    .option(
      '--telemetry-points-rate <N:s,...>',
      'telemetry data points per device, told to devices (default 200:1,6000:60,60000:3600)',
      rateLimit,
    )
    .option(
      '--telemetry-bytes-rate <N:s,...>',
      'bytes of telemetry and attributes per device (default 65536:1,1048576:60,8388608:3600)',
      rateLimit,
    )
    .option('--mqtt-tls-cert <file>', 'PEM certificate: devices connect with TLS (mqtts)')
    .option('--mqtt-tls-key <file>', 'PEM private key of that certificate')
    .option(
      '--http-device-tls-cert <file>',
      'PEM certificate: devices use HTTPS on the HTTP device API',
    )
    .option('--http-device-tls-key <file>', 'PEM private key of that certificate')
    .option('--json', 'print the ready line as JSON')
    .action(runStation);
}

async function runStation(options: StationOptions): Promise<void> {
  // Before anything binds: an unprotected API on the network is refused outright.
  try {
    assertSafeBinding(options.httpHost, options.httpToken);
  } catch (error) {
    throw new CliError((error as Error).message);
  }

  const tls = readTls(options.mqttTlsCert, options.mqttTlsKey, '--mqtt-tls');
  const httpDeviceTls = readTls(
    options.httpDeviceTlsCert,
    options.httpDeviceTlsKey,
    '--http-device-tls',
  );
  const station = await startStation({
    ...(tls ? { tls } : {}),
    ...(httpDeviceTls ? { httpDeviceTls } : {}),
    ...(options.httpDevicePort !== undefined ? { httpDevicePort: options.httpDevicePort } : {}),
    dataDir: options.dataDir,
    ...(options.mqttHost !== undefined ? { mqttHost: options.mqttHost } : {}),
    mqttPort: options.mqttPort,
    ...(options.coapPort !== undefined ? { coapPort: options.coapPort } : {}),
    version: appVersion(),
    ...(options.maxChunkBytes !== undefined ? { maxChunkBytes: options.maxChunkBytes } : {}),
    ...(options.telemetryMaxAgeDays !== undefined
      ? { telemetryMaxAgeDays: options.telemetryMaxAgeDays }
      : {}),
    ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
    ...(options.maxSessionsPerDevice !== undefined
      ? { maxSessionsPerDevice: options.maxSessionsPerDevice }
      : {}),
    ...(options.maxKeepalive !== undefined ? { maxKeepAliveSeconds: options.maxKeepalive } : {}),
    telemetryLimits: telemetryLimits(options),
  }).catch((error: unknown) => {
    const host = listenErrorHost(error, options.mqttHost);
    if (failedListener(error) === 'http') {
      const httpPort = (error as { port?: unknown }).port;
      throw friendlyStartError(
        error,
        'HTTP device API',
        host,
        typeof httpPort === 'number'
          ? httpPort
          : (options.httpDevicePort ?? DEFAULT_HTTP_DEVICE_PORT),
        '--http-device-port',
      );
    }
    // A UDP socket fails in bind(), a TCP server in listen(): the CoAP listener it was.
    if ((error as NodeJS.ErrnoException | undefined)?.syscall === 'bind')
      throw friendlyStartError(error, 'CoAP', host, options.coapPort ?? 5683, '--coap-port');
    throw friendlyStartError(error, 'MQTT', host, options.mqttPort, '--mqtt-port');
  });

  let http: HeadlessHttp;
  try {
    http = await startHeadlessHttp({
      station,
      host: options.httpHost,
      port: options.httpPort,
      token: options.httpToken,
    });
  } catch (error) {
    await station.close();
    throw friendlyStartError(error, 'HTTP', options.httpHost, options.httpPort, '--http-port');
  }

  // Handlers first: a signal right after the ready line must close cleanly, not kill us.
  const stopped = untilStopped(station, http);
  const mqtt = station.mqttAddress();
  const mqttUrl = `${tls ? 'mqtts' : 'mqtt'}://${hostForUrl(mqtt.host)}:${mqtt.port}`;
  const device = station.httpDeviceAddress();
  const httpDeviceUrl = `${httpDeviceTls ? 'https' : 'http'}://${hostForUrl(device.host)}:${device.port}`;
  const coap = station.coapAddress();
  const coapUrl = `coap://${hostForUrl(coap.host)}:${coap.port}`;
  if (options.json)
    printJson({
      ready: true,
      mqtt: mqttUrl,
      httpDevice: httpDeviceUrl,
      coap: coapUrl,
      http: http.url,
      ui: http.uiUrl,
      dataDir: station.dataDir,
    });
  else {
    // The secret is this account's to see: the terminal that started the station is.
    printLine(`Open the UI: ${http.uiUrl}`);
    printLine(`Device HTTP API: ${httpDeviceUrl}`);
    printLine(`CoAP device API: ${coapUrl}`);
    printLine(
      `ServicePleX Field OTA station ready: ${mqttUrl} ${http.url} data=${station.dataDir}`,
    );
  }

  await stopped;
}

function telemetryLimits(options: StationOptions): Partial<UplinkLimitOptions> {
  const limits: Partial<UplinkLimitOptions> = {};
  if (options.maxTelemetryBytes !== undefined) limits.maxMessageBytes = options.maxTelemetryBytes;
  if (options.telemetryRate !== undefined) limits.telemetryMessages = options.telemetryRate;
  if (options.telemetryPointsRate !== undefined)
    limits.telemetryDataPoints = options.telemetryPointsRate;
  if (options.telemetryBytesRate !== undefined) limits.bytes = options.telemetryBytesRate;
  return limits;
}

/** Both files or neither: half a TLS set-up is a mistake to report, not to ignore. */
function readTls(
  certFile: string | undefined,
  keyFile: string | undefined,
  flags: string,
): { cert: Buffer; key: Buffer } | undefined {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new CliError(`${flags}-cert and ${flags}-key go together`);
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new CliError(`Cannot read the TLS ${what} ${file}: ${(error as Error).message}`);
    }
  };
  return { cert: read(certFile, 'certificate'), key: read(keyFile, 'key') };
}

const DOUBLE_DELIVERY_MS = 1000;

/** Resolves once a signal has closed everything; a second signal while closing gives up waiting. */
function untilStopped(station: Station, http: HeadlessHttp): Promise<void> {
  return new Promise((resolve, reject) => {
    let stoppingSince: number | undefined;
    let closed = false;
    const stop = (signal: NodeJS.Signals) => {
      // Closed already, the process is on its way out: a late copy of the signal must not turn
      // a clean exit into a kill (the handlers stay installed for exactly that).
      if (closed) return;
      if (stoppingSince !== undefined) {
        // A terminal's Ctrl+C reaches both a launcher (npm start) and us, and the launcher passes
        // it on: the same keypress arrives twice. Only a later, deliberate one forces the exit.
        if (Date.now() - stoppingSince < DOUBLE_DELIVERY_MS) return;
        process.stderr.write(
          `field-ota: ${signal} again: exiting without waiting for a clean close.\n`,
        );
        process.exit(1);
      }
      stoppingSince = Date.now();
      process.stderr.write(`field-ota: ${signal}: closing the station...\n`);
      closeInOrder(station, http)
        .finally(() => {
          closed = true;
        })
        .then(resolve, reject);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** HTTP first, so no API call reaches a station that is closing; the station even if HTTP failed to close. */
async function closeInOrder(station: Station, http: HeadlessHttp): Promise<void> {
  try {
    await http.close();
  } finally {
    await station.close();
  }
}

function friendlyStartError(
  error: unknown,
  what: string,
  host: string,
  portNumber: number,
  flag: string,
): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${hostForUrl(host)}:${portNumber}`;
  if (code === 'EADDRINUSE')
    return new CliError(
      `Cannot start the station: ${what} port ${where} is already in use (another station, or ${what === 'CoAP' ? 'a CoAP server' : 'a broker such as mosquitto'}?). Choose another with ${flag}.`,
    );
  if (code === 'EACCES')
    return new CliError(
      `Cannot start the station: not allowed to listen on ${what} port ${where} (ports below 1024 need privileges). Choose another with ${flag}.`,
    );
  if (code === 'EADDRNOTAVAIL')
    return new CliError(`Cannot start the station: ${host} is not an address of this computer.`);
  return error instanceof Error ? error : new Error(String(error));
}
