/**
 * The Station page switch "Serve the site network": which address the device API listens on,
 * where devices then connect, and moving the listener while the station runs.
 */
import os from 'node:os';

import type { DeviceTransport, LanAddress } from '../../shared/api/entities';
import { ApiError } from '../../shared/api/errors';
import { guarded } from './guarded';
import { hostForUrl, isLoopbackHost } from './http/loopback';
import { ListenerMoveError } from './mqtt';
import type { StationSettingsRepository } from './repositories/station-settings';

export type { LanAddress };

const LOOPBACK = '127.0.0.1';
const ALL_IPV4 = '0.0.0.0';

function isWildcard(host: string): boolean {
  return host === ALL_IPV4 || host === '::';
}

/** The listening host of each switch position. */
export interface SwitchHosts {
  off: string;
  on: string;
}

/**
 * A host given at start keeps its meaning for the switch:
 * - a loopback host (127.0.0.1, localhost, ::1) is the "off" position, "on" is 0.0.0.0;
 * - any other (0.0.0.0, ::, or one interface's address such as 192.168.1.23) is "on", and "off"
 *   is 127.0.0.1. An interface address stays "on" rather than widening to 0.0.0.0: the
 *   technician picked it on purpose (e.g. the plant network, not the office Wi-Fi), and turning
 *   the switch off and on again must not open the station to networks they kept it off.
 */
export function switchHosts(configuredHost: string | undefined): SwitchHosts {
  if (configuredHost === undefined) return { off: LOOPBACK, on: ALL_IPV4 };
  if (isLoopbackHost(configuredHost)) return { off: configuredHost, on: ALL_IPV4 };
  return { off: LOOPBACK, on: configuredHost };
}

/** At start: a host given explicitly wins, then the switch's saved choice, then loopback. */
export function startHost(
  configuredHost: string | undefined,
  savedSiteNetwork: boolean | undefined,
): string {
  if (configuredHost !== undefined) return configuredHost;
  const hosts = switchHosts(undefined);
  return savedSiteNetwork ? hosts.on : hosts.off;
}

/**
 * The host a failed start tried to listen on: Node's listen errors carry it, and it may be the
 * switch's saved choice rather than anything given at start.
 */
export function listenErrorHost(error: unknown, configuredHost: string | undefined): string {
  const tried = (error as { address?: unknown } | null | undefined)?.address;
  return typeof tried === 'string' ? tried : (configuredHost ?? LOOPBACK);
}

/**
 * Where devices on the site network reach a listener bound to `boundHost`: every IPv4 address
 * of this computer outside loopback for a wildcard bind, else the one address bound (with its
 * interface when it has one). Read afresh each time: cables and Wi-Fi come and go on site.
 */
export function lanAddresses(
  boundHost: string,
  port: number,
  /** mqtt, mqtts, http, https… */
  scheme: string,
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
): LanAddress[] {
  if (isLoopbackHost(boundHost)) return [];
  const entries = Object.entries(interfaces).flatMap(([name, infos]) =>
    (infos ?? []).map((info) => ({ name, info })),
  );
  const url = (address: string) => `${scheme}://${hostForUrl(address)}:${port}`;
  if (isWildcard(boundHost))
    return entries
      .filter(({ info }) => info.family === 'IPv4' && !info.internal)
      .map(({ name, info }) => ({
        address: info.address,
        interface: name,
        url: url(info.address),
      }));
  const own = entries.find(({ info }) => info.address === boundHost);
  return [{ address: boundHost, interface: own?.name ?? null, url: url(boundHost) }];
}

/**
 * Whose port a failed move found taken, and what else may hold it. The MQTT port goes unnamed:
 * it is the station's port to a technician.
 */
const PORT_HOLDERS: Record<DeviceTransport, { of: string; other: string }> = {
  mqtt: { of: '', other: 'an MQTT broker such as Mosquitto' },
  http: { of: ' of the HTTP device API', other: 'a web server' },
  coap: { of: ' of the CoAP device API', other: 'another CoAP server' },
};

/** What the technician reads when the switch could not move the listener. */
export function switchFailureMessage(error: ListenerMoveError, enabled: boolean): string {
  const wanted = enabled ? 'serve the site network' : 'serve this computer only';
  const where = `${hostForUrl(error.host)}:${error.port}`;
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  const holders = PORT_HOLDERS[error.transport];
  const why =
    code === 'EADDRINUSE'
      ? `port ${error.port}${holders.of} is already used on another address of this computer (another station, or ${holders.other}?)`
      : code === 'EACCES'
        ? `the system does not allow listening on ${where} (ports below 1024 need administrator rights)`
        : code === 'EADDRNOTAVAIL'
          ? `${error.host} is not an address of this computer any more (was the cable or Wi-Fi changed?)`
          : `listening on ${where} failed (${error.cause instanceof Error ? error.cause.message : String(error.cause)})`;
  const now = error.restored
    ? `Nothing changed: devices still connect to ${hostForUrl(error.previousHost ?? '')}:${error.port} as before.`
    : `The station could not listen on ${hostForUrl(error.previousHost ?? error.host)}:${error.port} again either: no new device can connect until the switch is moved again or the station is restarted (devices already connected stay connected).`;
  return `Cannot ${wanted}: ${why}. ${now}`;
}

export interface ListenerPort {
  /** Moves the listener; concurrent calls run one at a time, in call order (MqttEndpoint). */
  rebind(host: string): Promise<{ host: string; port: number }>;
}

/**
 * Moves the listener between the two positions, saves the choice once the move succeeded, and
 * tells every open UI through onChanged (also after a failure: a failed restore changes what the
 * station accepts). The listener runs moves one at a time in call order, so the choice saved
 * last is the one that ran last.
 */
export class SiteNetworkSwitch {
  constructor(
    private readonly deps: {
      listener: ListenerPort;
      hosts: SwitchHosts;
      settings: StationSettingsRepository;
      onChanged: () => void;
    },
  ) {}

  async set(enabled: boolean): Promise<void> {
    const { listener, hosts, settings, onChanged } = this.deps;
    try {
      await listener.rebind(enabled ? hosts.on : hosts.off);
      settings.setSiteNetwork(enabled);
    } catch (error) {
      if (error instanceof ListenerMoveError)
        throw new ApiError('CONFLICT', switchFailureMessage(error, enabled));
      throw new ApiError(
        'CONFLICT',
        `Cannot ${enabled ? 'serve the site network' : 'serve this computer only'}: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      onChanged();
    }
  }
}

/** How often the LAN addresses are read again while the site network is served. */
export const LAN_CHECK_INTERVAL_MS = 5000;

/**
 * Calls `onChange` when the addresses devices must use change: on site a cable is plugged in
 * or the Wi-Fi joins after the switch was turned on, and the Station page must then show the
 * new address without a reload. Returns the function that stops watching.
 */
export function watchLanAddresses(
  read: () => readonly LanAddress[],
  onChange: () => void,
  intervalMs = LAN_CHECK_INTERVAL_MS,
): () => void {
  let last = JSON.stringify(read());
  // Reading the addresses needs a descriptor: under a flood of connections it fails (EMFILE),
  // and the next poll simply tries again.
  const timer = setInterval(
    guarded('reading the LAN addresses', () => {
      const now = JSON.stringify(read());
      if (now === last) return;
      last = now;
      onChange();
    }),
    intervalMs,
  );
  timer.unref();
  return () => clearInterval(timer);
}
