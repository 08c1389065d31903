import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';

import type { Package, StationStatus } from '../../shared/api/entities';
import type { ApiHandlers, PackageMeta } from '../../shared/api/operations';
import { JobPolicyInput } from '../../shared/api/operations';
import { DEFAULT_HTTP_DEVICE_PORT } from '../../shared/protocol/http-device-api';
import { SUBSCRIBABLE_FILTERS } from '../../shared/protocol/topics';
import { createApiHandlers } from './api/handlers';
import type { CoapServerLimits } from './coap/coap-server';
import { type CoapDeviceTransport, type CoapStats, startCoap } from './coap/coap-station';
import { ChunkServer } from './device-api/chunk-server';
import { DeviceService } from './device-api/device-service';
import { MqttDeviceAdapter } from './device-api/mqtt-device-adapter';
import { type OpenDownloadLimits } from './device-api/open-downloads';
import { PackageDownloads } from './device-api/package-download';
import { ProtocolErrorLog } from './device-api/protocol-error-log';
import { SessionRegistry } from './device-api/session-registry';
import { type UplinkLimitOptions, UplinkLimits } from './device-api/uplink-limits';
import { deviceEndpoint } from './device-endpoints';
import { HttpDeviceEndpoint, type HttpDeviceTuning } from './device-http/http-device-endpoint';
import { startHeartbeat } from './heartbeat';
import { hostForUrl, isLoopbackHost } from './http/loopback';
import { JobService } from './jobs/job-service';
import { ProfileRollout } from './jobs/profile-rollout';
import { ListenerGroup } from './listener/listener-group';
import { MqttEndpoint } from './mqtt/mqtt-endpoint';
import { ChangeNotifier } from './ota/change-notifier';
import { OtaService } from './ota/ota-service';
import { ChunkSources } from './packages/chunk-source';
import { PackageStore } from './packages/package-store';
import { AttributeRepository } from './repositories/attributes';
import { type DeviceIdentity, DeviceRepository } from './repositories/devices';
import { ExecutionRepository } from './repositories/executions';
import { JobRepository } from './repositories/jobs';
import { PackageRepository } from './repositories/packages';
import { ProfileRepository } from './repositories/profiles';
import { StationSettingsRepository } from './repositories/station-settings';
import { TelemetryRepository } from './repositories/telemetry';
import {
  lanAddresses,
  SiteNetworkSwitch,
  startHost,
  switchHosts,
  watchLanAddresses,
} from './site-network';
import { StationEvents } from './station-events';
import { openDatabase } from './storage/database';
import { MIGRATIONS } from './storage/migrations';
import { writeCount } from './storage/write-count';
import { FileSecretStore, type SecretStore } from './sync/secret-store';
import { type SyncOptions, SyncService } from './sync/sync-service';
import {
  DEFAULT_RETENTION,
  type RetentionOptions,
  TelemetryRetention,
} from './telemetry-retention';

export interface StationOptions {
  dataDir: string;
  /**
   * Given (--mqtt-host, settings.json): the device API listens there at every start, whatever
   * the Station page switch saved. Not given: the switch's saved choice (0.0.0.0 when on),
   * else 127.0.0.1, since serving the site network is an explicit choice.
   */
  mqttHost?: string;
  /** Default 1883; 0 picks a free port. */
  mqttPort?: number;
  /**
   * ThingsBoard's HTTP device API, on the same host as MQTT. Default 8080 (ThingsBoard's); 0
   * picks a free port, and so does leaving it out when mqttPort is 0 (a throw-away station:
   * tests, benchmarks).
   */
  httpDevicePort?: number;
  /** HTTPS for the HTTP device API: PEM key and certificate, as `tls` is for MQTT. */
  httpDeviceTls?: { key: Buffer | string; cert: Buffer | string };
  /** Time-outs and caps of the HTTP device API; tests shorten them. */
  httpDeviceTuning?: HttpDeviceTuning;
  /**
   * The CoAP device API's UDP port, on the MQTT host (the switch moves both). Default 5683;
   * 0 picks a free port, as does a station asked to pick its MQTT port (mqttPort 0) when this
   * is not given: tests and benchmarks must not claim a fixed port.
   */
  coapPort?: number;
  /** CoAP message-layer bounds (see CoapServerLimits); tests shorten them. */
  coapLimits?: Partial<CoapServerLimits>;
  /** CoAP attribute observations at once, all devices together; default 10000. */
  coapMaxObservations?: number;
  /** Largest chunk a device may ask for; the reference server's is 64 KiB. Default 512 KiB. */
  maxChunkBytes?: number;
  tls?: { key: Buffer | string; cert: Buffer | string };
  /** Open MQTT connections at once; default 16384 (see MqttEndpointOptions). */
  maxConnections?: number;
  /** Sessions one device (access token) may hold at once; default 10. */
  maxSessionsPerDevice?: number;
  /** Largest keep-alive granted, in seconds; 0 or more is lowered to it. Default 300. */
  maxKeepAliveSeconds?: number;
  /** Size and rate limits of what devices store (telemetry, attributes); see UplinkLimits. */
  telemetryLimits?: Partial<UplinkLimitOptions>;
  /** Path of a better-sqlite3 addon built for this runtime (see DatabaseOptions). */
  sqliteNativeBinding?: string;
  version?: string;
  /** Where the cloud session's tokens are kept; default: an owner-only file in dataDir. */
  secretStore?: SecretStore;
  /** Cloud sync tuning (auto-sync, intervals, retries); tests shorten them. */
  sync?: Omit<SyncOptions, 'secrets'>;
  /**
   * Telemetry older than this goes even if it was never pushed (settings.json
   * telemetryMaxAgeDays, --telemetry-max-age-days). Default 7.
   */
  telemetryMaxAgeDays?: number;
  /** Telemetry retention tuning; tests and benchmarks shorten it (wins over the age in days). */
  telemetryRetention?: Partial<RetentionOptions>;
  /** How many device downloads stay open between chunk requests, and for how long idle. */
  openDownloads?: OpenDownloadLimits;
}

export interface Station {
  readonly api: ApiHandlers;
  readonly events: StationEvents;
  readonly dataDir: string;
  /** Every device-facing operation, for a device transport other than the built-in MQTT one. */
  readonly deviceService: DeviceService;
  importPackage(meta: PackageMeta, source: Readable | NodeJS.ReadableStream): Promise<Package>;
  mqttAddress(): { host: string; port: number };
  /** Where the HTTP device API listens (the last address, if a failed switch left none). */
  httpDeviceAddress(): { host: string; port: number };
  /** Long polls open on the HTTP device API right now. */
  httpDeviceOpenPolls(): number;
  coapAddress(): { host: string; port: number };
  /** CoAP message-layer counts (requests, retransmissions answered from the cache...). */
  coapStats(): CoapStats;
  setHttpUrl(url: string): void;
  close(): Promise<void>;
}

export const DEFAULT_MAX_CHUNK_BYTES = 512 * 1024;
const MAX_INFLIGHT = 100;
/**
 * A device normally holds one session; a few more cover a reconnect before the old half-open
 * one is noticed, or a device with a separate OTA connection.
 */
export const DEFAULT_MAX_SESSIONS_PER_DEVICE = 10;

/** The per-user data folder, as Electron's userData would be. */
export function defaultDataDir(): string {
  const home = os.homedir();
  if (process.platform === 'win32')
    return path.join(
      process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'),
      'ServicePleX Field OTA',
    );
  if (process.platform === 'darwin')
    return path.join(home, 'Library', 'Application Support', 'ServicePleX Field OTA');
  return path.join(
    process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'),
    'serviceplex-field-ota',
  );
}

/** Opens the database and package cache, and starts serving devices over MQTT. */
export async function startStation(options: StationOptions): Promise<Station> {
  const dataDir = path.resolve(options.dataDir);
  const maxChunkBytes = options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
  const db = openDatabase(dataDir, MIGRATIONS, { nativeBinding: options.sqliteNativeBinding });
  const events = new StationEvents();
  const profiles = new ProfileRepository(db);
  const devices = new DeviceRepository(db);
  const packages = new PackageRepository(db);
  const executions = new ExecutionRepository(db);
  const attributes = new AttributeRepository(db);
  const telemetry = new TelemetryRepository(db);
  const store = new PackageStore(packages, profiles, path.join(dataDir, 'packages'));
  const sources = new ChunkSources((sha) => store.blobs.pathOf(sha));
  const sessions = new SessionRegistry();
  const errors = new ProtocolErrorLog(events);
  const notifier = new ChangeNotifier(db, executions, devices, sessions.isOnline, events);
  const ota = new OtaService(
    db,
    { devices, packages, executions, attributes, telemetry },
    sessions,
    notifier,
  );
  const jobRepo = new JobRepository(db, executions);
  const jobs = new JobService(
    db,
    { jobs: jobRepo, executions, devices, packages },
    ota,
    events,
    sessions.isOnline,
  );
  const rollout = new ProfileRollout(db, { profiles, devices, packages }, ota, jobs);
  const uplink = new UplinkLimits(options.telemetryLimits);
  const downloads = new PackageDownloads(
    { devices, packages, store, sources, ota, notifier, writes: writeCount(db) },
    (...refusal) => deviceService.refuse(...refusal),
    options.openDownloads,
  );
  const deviceService: DeviceService = new DeviceService({
    db,
    devices,
    attributes,
    telemetry,
    ota,
    downloads,
    sessions,
    notifier,
    errors,
    events,
    sessionLimits: { maxPayloadSize: maxChunkBytes, maxInflightMessages: MAX_INFLIGHT },
    uplink,
    maxSessionsPerDevice: options.maxSessionsPerDevice ?? DEFAULT_MAX_SESSIONS_PER_DEVICE,
  });
  const deviceApi = new MqttDeviceAdapter({
    service: deviceService,
    chunks: new ChunkServer(deviceService),
    errors,
  });
  const stationSettings = new StationSettingsRepository(db);
  const retention = new TelemetryRetention(db, telemetry, {
    ...DEFAULT_RETENTION,
    ...(options.telemetryMaxAgeDays !== undefined
      ? { maxAgeMs: options.telemetryMaxAgeDays * 24 * 3600_000 }
      : {}),
    ...options.telemetryRetention,
  });
  const configuredHost = options.mqttHost?.trim() || undefined;
  const deviceHost = startHost(configuredHost, stationSettings.siteNetwork());
  const endpoint = new MqttEndpoint<DeviceIdentity>({
    host: deviceHost,
    port: options.mqttPort ?? 1883,
    ...(options.tls ? { tls: options.tls } : {}),
    handlers: deviceApi,
    subscribableFilters: SUBSCRIBABLE_FILTERS,
    maxInflight: MAX_INFLIGHT,
    ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
    ...(options.maxKeepAliveSeconds !== undefined
      ? { maxKeepAliveSeconds: options.maxKeepAliveSeconds }
      : {}),
    // Room for the largest chunk plus several in flight before a slow device is cut off.
    maxQueuedBytes: Math.max(32 * 1024 * 1024, maxChunkBytes * 8),
    // getSessionLimits tells SDK devices they may send maxChunkBytes: accept that much.
    maxIncomingPacketBytes: Math.max(1024 * 1024, maxChunkBytes + 64 * 1024),
  });
  const httpDevice = new HttpDeviceEndpoint({
    ...options.httpDeviceTuning,
    host: deviceHost,
    port: options.httpDevicePort ?? (options.mqttPort === 0 ? 0 : DEFAULT_HTTP_DEVICE_PORT),
    ...(options.httpDeviceTls ? { tls: options.httpDeviceTls } : {}),
    service: deviceService,
    errors,
    limits: {
      maxBodyBytes: uplink.options.maxMessageBytes,
      ...options.httpDeviceTuning?.limits,
    },
  });
  /** The last addresses listened on (still shown if a failed switch left no listener). */
  let mqtt: { host: string; port: number };
  let http: { host: string; port: number };
  let coap: CoapDeviceTransport;
  try {
    mqtt = await endpoint.listen();
    http = await httpDevice.listen().catch((error: unknown) => {
      throw markListener(error, 'http');
    });
    coap = await startCoap(deviceService, errors, {
      host: mqtt.host,
      port: options.coapPort ?? (options.mqttPort === 0 ? 0 : undefined),
      ...(options.coapLimits ? { limits: options.coapLimits } : {}),
      ...(options.coapMaxObservations !== undefined
        ? { api: { maxObservations: options.coapMaxObservations } }
        : {}),
    });
  } catch (error) {
    await endpoint.close();
    await httpDevice.close();
    db.close();
    throw error;
  }
  const startedAt = Date.now();
  let httpUrl = '';
  const scheme = options.tls ? 'mqtts' : 'mqtt';
  const status = (): StationStatus => {
    mqtt = endpoint.address() ?? mqtt;
    http = httpDevice.address() ?? http;
    return {
      version: options.version ?? '0.0.0',
      dataDir,
      startedAt,
      mqtt: {
        host: mqtt.host,
        port: mqtt.port,
        url: `${scheme}://${hostForUrl(mqtt.host)}:${mqtt.port}`,
        tls: Boolean(options.tls),
        siteNetwork: !isLoopbackHost(mqtt.host),
        lanAddresses: lanAddresses(mqtt.host, mqtt.port, scheme),
        configuredHost: configuredHost ?? null,
        maxChunkBytes,
      },
      http: { url: httpUrl },
      deviceEndpoints: [
        deviceEndpoint('mqtt', mqtt, Boolean(options.tls)),
        deviceEndpoint('http', http, httpDevice.tls),
        deviceEndpoint('coap', coap.address(), false),
      ],
      connectedDevices: sessions.connectedDevices,
      sessions: endpoint.sessions.size,
    };
  };
  const siteNetwork = new SiteNetworkSwitch({
    listener: new ListenerGroup([endpoint, httpDevice, coap.endpoint]),
    hosts: switchHosts(configuredHost),
    settings: stationSettings,
    // Every open UI (header, Station page) shows where devices connect now.
    onChanged: () => events.emit('station.status', status()),
  });
  const stopWatchingLan = watchLanAddresses(
    () => status().deviceEndpoints.flatMap((e) => e.lanAddresses),
    () => {
      if (events.hasListeners) events.emit('station.status', status());
    },
  );
  const stopHeartbeat = startHeartbeat(events);
  // ---- cloud sync ----
  const sync = new SyncService(
    {
      db,
      packageStore: store,
      packages,
      devices,
      attributes,
      telemetry,
      executions,
      // Pulled assignments are applied the way the technician's "assign" applies them.
      assigner: {
        assign: (deviceId, packageId, now) => void jobs.assignOne(deviceId, packageId, now),
        unassign: (deviceId, type, now) => jobs.unassign(deviceId, type, now),
        assignProfile: (profileId, packageId, now) =>
          void rollout.assign(profileId, packageId, JobPolicyInput.parse({}), now),
        unassignProfile: (profileId, type, now) => void rollout.unassign(profileId, type, now),
        moveDevice: (deviceId, profileId, now) => {
          const before = rollout.resolved(deviceId);
          devices.setProfileFromCloud(deviceId, profileId);
          rollout.deviceJoined(deviceId, before, now);
        },
      },
      notifier,
      events,
      evictServedBinary: (sha) => sources.evict(sha),
    },
    {
      ...options.sync,
      secrets: options.secretStore ?? new FileSecretStore(path.join(dataDir, 'cloud-session.json')),
    },
  );
  // ----
  const api = createApiHandlers({
    profiles,
    devices,
    packages,
    executions,
    attributes,
    telemetry,
    store,
    ota,
    notifier,
    sessions,
    errors,
    events,
    status,
    setSiteNetwork: (enabled) => siteNetwork.set(enabled),
    evictServedBinary: (sha) => sources.evict(sha),
    sync,
    jobs,
    jobRepo,
    rollout,
  });
  // After the MQTT endpoint is up: a restarted station resumes its jobs where they stood.
  jobs.start();
  retention.start();
  await sync.start();
  let closed: Promise<void> | undefined;
  return {
    api,
    events,
    dataDir,
    deviceService,
    importPackage: async (meta, source) => {
      const pkg = await store.import(meta, source);
      events.emit('package.changed', pkg);
      return pkg;
    },
    mqttAddress: () => ({ ...(endpoint.address() ?? mqtt) }),
    httpDeviceAddress: () => ({ ...(httpDevice.address() ?? http) }),
    httpDeviceOpenPolls: () => httpDevice.openPolls,
    coapAddress: () => coap.address(),
    coapStats: () => coap.stats(),
    setHttpUrl: (url) => {
      httpUrl = url;
    },
    close: () => {
      closed ??= (async () => {
        stopWatchingLan();
        stopHeartbeat();
        jobs.stop();
        retention.close();
        await sync.close();
        await Promise.all([endpoint.close(), httpDevice.close(), coap.close()]);
        notifier.close();
        downloads.close();
        await sources.close();
        db.close();
      })();
      return closed;
    },
  };
}

/**
 * Which device listener could not start, on the error itself: the CLI names the right port
 * flag. Node's listen errors already carry the host and port.
 */
function markListener(error: unknown, transport: 'mqtt' | 'http'): unknown {
  if (error instanceof Error) Object.assign(error, { transport });
  return error;
}

/** The transport whose listener failed to start ('mqtt' unless marked otherwise). */
export function failedListener(error: unknown): 'mqtt' | 'http' {
  return (error as { transport?: unknown } | null)?.transport === 'http' ? 'http' : 'mqtt';
}
