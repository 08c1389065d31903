import { OTA_PACKAGE_TYPES, type OtaPackageType } from '../../shared/protocol/ota-keys';
import { LINK_KINDS, SIMULATED_TRANSPORTS, type SimulatedTransport } from './link-factory';
import type { InstalledPackages, SimulationOptions } from './types';

/** The options with every default applied and every value checked. */
export interface SimulationSettings {
  transport: SimulatedTransport;
  url: string;
  tokens: string[];
  chunkSize: number;
  protocolVersion: 4 | 5;
  qos: 0 | 1;
  packageTypes: OtaPackageType[];
  installedFor: (token: string, index: number) => InstalledPackages;
  failVerify: boolean;
  dropAtChunk: number | undefined;
  silent: boolean;
  connectConcurrency: number;
  connectTimeoutMs: number;
  timeoutMs: number;
  chunkTimeoutMs: number;
  chunkRetries: number;
  maxReconnects: number;
  holdMs: number;
}

export class SimulationOptionsError extends Error {}

const DEFAULT_INSTALLED: InstalledPackages = {
  fwTitle: 'CIM-168',
  fwVersion: '1.0.0',
  swTitle: 'CIM-168',
  swVersion: '1.0.0',
};
const MAX_DEVICES = 100_000;

export function resolveSettings(options: SimulationOptions): SimulationSettings {
  const installed = options.installed;
  const transport = resolveTransport(options.transport);
  return {
    transport,
    url: checkUrl(options.url, transport),
    tokens: resolveTokens(options),
    chunkSize: integer(
      'chunkSize',
      options.chunkSize,
      LINK_KINDS[transport].defaultChunkSize ?? 65_536,
      1,
      LINK_KINDS[transport].maxChunkSize ?? 256 * 1024 * 1024,
    ),
    protocolVersion: oneOf('protocolVersion', options.protocolVersion ?? 4, [4, 5] as const),
    qos: oneOf('qos', options.qos ?? 1, [0, 1] as const),
    packageTypes: resolvePackageTypes(options.packageTypes),
    installedFor: (token, index) => ({
      ...DEFAULT_INSTALLED,
      ...(typeof installed === 'function' ? installed(token, index) : installed),
    }),
    failVerify: options.failVerify ?? false,
    dropAtChunk:
      options.dropAtChunk === undefined
        ? undefined
        : integer('dropAtChunk', options.dropAtChunk, 0, 0, Number.MAX_SAFE_INTEGER),
    silent: options.silent ?? false,
    connectConcurrency: integer('connectConcurrency', options.connectConcurrency, 50, 1, 10_000),
    connectTimeoutMs: 30_000,
    timeoutMs: integer('timeoutMs', options.timeoutMs, 120_000, 1, 24 * 3600 * 1000),
    chunkTimeoutMs: integer('chunkTimeoutMs', options.chunkTimeoutMs, 10_000, 1, 3600 * 1000),
    chunkRetries: integer('chunkRetries', options.chunkRetries, 3, 0, 1000),
    maxReconnects: integer('maxReconnects', options.maxReconnects, 5, 0, 1000),
    holdMs: integer('holdMs', options.holdMs, 0, 0, 24 * 3600 * 1000),
  };
}

function resolveTokens(options: SimulationOptions): string[] {
  if (options.tokens !== undefined) {
    if (options.count !== undefined) {
      throw new SimulationOptionsError('Give either tokens or count, not both');
    }
    const tokens = [...options.tokens];
    if (tokens.length === 0) throw new SimulationOptionsError('tokens is empty');
    if (tokens.length > MAX_DEVICES) {
      throw new SimulationOptionsError(`At most ${MAX_DEVICES} devices per run`);
    }
    if (tokens.some((t) => typeof t !== 'string' || t.length === 0)) {
      throw new SimulationOptionsError('Every token must be a non-empty string');
    }
    if (new Set(tokens).size !== tokens.length) {
      throw new SimulationOptionsError('Tokens must be unique (one device each)');
    }
    return tokens;
  }
  if (options.count === undefined) throw new SimulationOptionsError('Give tokens or count');
  const count = integer('count', options.count, 1, 1, MAX_DEVICES);
  const prefix = options.tokenPrefix ?? 'sim-device-';
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

function resolvePackageTypes(types: readonly OtaPackageType[] | undefined): OtaPackageType[] {
  if (types === undefined) return [...OTA_PACKAGE_TYPES];
  if (types.length === 0 || types.some((t) => !OTA_PACKAGE_TYPES.includes(t))) {
    throw new SimulationOptionsError(
      `packageTypes must list some of ${OTA_PACKAGE_TYPES.join(', ')}`,
    );
  }
  // Firmware first, whatever the order given: a device updates one package at a time.
  return OTA_PACKAGE_TYPES.filter((t) => types.includes(t));
}

function resolveTransport(transport: SimulatedTransport | undefined): SimulatedTransport {
  const chosen = transport ?? 'mqtt';
  if (!SIMULATED_TRANSPORTS.includes(chosen)) {
    throw new SimulationOptionsError(
      `transport must be one of ${SIMULATED_TRANSPORTS.join(', ')}, got ${String(transport)}`,
    );
  }
  return chosen;
}

function checkUrl(url: string, transport: SimulatedTransport): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SimulationOptionsError(`Not a URL: ${String(url)}`);
  }
  const kind = LINK_KINDS[transport];
  if (!kind.schemes.includes(parsed.protocol)) {
    throw new SimulationOptionsError(
      `Unsupported URL scheme ${parsed.protocol} for ${transport} (use ${kind.defaultUrl})`,
    );
  }
  return url;
}

function integer(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new SimulationOptionsError(
      `${name} must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return n;
}

function oneOf<T extends number>(name: string, value: number, allowed: readonly T[]): T {
  if (!(allowed as readonly number[]).includes(value)) {
    throw new SimulationOptionsError(
      `${name} must be one of ${allowed.join(', ')}, got ${String(value)}`,
    );
  }
  return value as T;
}
