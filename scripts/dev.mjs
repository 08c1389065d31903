/**
 * `npm run dev`: the whole app with hot reload, in a browser.
 * - tsc --watch recompiles the station (electron/, shared/) into dist/ on every change;
 * - the headless station runs under `node --watch`, so it restarts on each recompile;
 * - the renderer runs on Vite's dev server (React fast refresh), which forwards /api (calls,
 *   uploads and the event socket) to that station.
 * The station asks every client for its per-start secret: the forwarder reads it from the
 * station's data folder on each request (it changes at each restart) and presents it as the CLI
 * does, so the page needs no ?token=. Stop with Ctrl+C.
 *
 * Options (environment): FIELD_OTA_DEV_DATA_DIR (default .field-ota-data/dev), FIELD_OTA_DEV_HTTP_PORT
 * (the station's API, default 18080), FIELD_OTA_DEV_MQTT_PORT (default 1883),
 * FIELD_OTA_DEV_HTTP_DEVICE_PORT (the device HTTP API, default 8080), FIELD_OTA_DEV_COAP_PORT
 * (default 5683), FIELD_OTA_DEV_PORT (the page, default 5173).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createServer } from 'vite';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(
  process.env.FIELD_OTA_DEV_DATA_DIR ?? path.join(root, '.field-ota-data', 'dev'),
);
const httpPort = Number(process.env.FIELD_OTA_DEV_HTTP_PORT ?? 18080);
const mqttPort = Number(process.env.FIELD_OTA_DEV_MQTT_PORT ?? 1883);
const httpDevicePort = Number(process.env.FIELD_OTA_DEV_HTTP_DEVICE_PORT ?? 8080);
const coapPort = Number(process.env.FIELD_OTA_DEV_COAP_PORT ?? 5683);
const pagePort = Number(process.env.FIELD_OTA_DEV_PORT ?? 5173);
const stationUrl = `http://127.0.0.1:${httpPort}`;
// The file station-secret.ts writes once the station listens.
const secretFile = path.join(dataDir, 'http-secret');

const children = [];

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`dev: ${command} ${args[0]} ended (${signal ?? code}); stopping.`);
    stop(1);
  });
  return child;
}

let stopping = false;
let vite;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  void (vite ? vite.close() : Promise.resolve()).finally(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

/** The running station's secret, or nothing while it (re)starts. */
function stationSecret() {
  try {
    return fs.readFileSync(secretFile, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Requests reach the station as the CLI's would: no browser Origin, the secret as a bearer token. */
function asLocalClient(proxyReq) {
  proxyReq.removeHeader('origin');
  const secret = stationSecret();
  if (secret) proxyReq.setHeader('authorization', `Bearer ${secret}`);
}

run(process.execPath, [
  path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
  '-p',
  'tsconfig.node.json',
  '--watch',
  '--preserveWatchOutput',
]);
run(process.execPath, [
  '--watch-path=dist/electron',
  '--watch-path=dist/shared',
  'bin/field-ota.js',
  'station',
  '--data-dir',
  dataDir,
  '--http-port',
  String(httpPort),
  '--mqtt-port',
  String(mqttPort),
  '--http-device-port',
  String(httpDevicePort),
  '--coap-port',
  String(coapPort),
]);

vite = await createServer({
  configFile: path.join(root, 'renderer', 'vite.config.mts'),
  server: {
    host: '127.0.0.1',
    port: pagePort,
    strictPort: true,
    proxy: {
      '/api': {
        target: stationUrl,
        changeOrigin: true,
        ws: true,
        configure: (proxy) => {
          proxy.on('proxyReq', asLocalClient);
          proxy.on('proxyReqWs', asLocalClient);
        },
      },
    },
  },
});
await vite.listen();
console.log(
  `dev: open http://127.0.0.1:${pagePort}/ (station ${stationUrl}, devices on MQTT ${mqttPort}, HTTP ${httpDevicePort}, CoAP ${coapPort}, data ${dataDir})`,
);
