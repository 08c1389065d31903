/** The ports a test's station listens on: 0 (any free one) unless given; CoAP and the HTTP
 * device API are left to the station's own default unless given. */
export interface StationPorts {
  mqtt?: number;
  http?: number;
  coap?: number;
  httpDevice?: number;
}

/** `field-ota station` on `dataDir`, as a technician starts it. */
export function stationArgs(dataDir: string, ports: StationPorts = {}): string[] {
  return [
    'station',
    '--data-dir',
    dataDir,
    '--mqtt-port',
    String(ports.mqtt ?? 0),
    '--http-port',
    String(ports.http ?? 0),
    ...(ports.coap === undefined ? [] : ['--coap-port', String(ports.coap)]),
    ...(ports.httpDevice === undefined ? [] : ['--http-device-port', String(ports.httpDevice)]),
  ];
}

export interface PackageAddOptions {
  file: string;
  /** Default CIM-168, the seed's. */
  title?: string;
  /** Default 1.0.1, the seed's. */
  version?: string;
  /** Default CIM-168. */
  profile?: string;
  /** Default FIRMWARE. */
  type?: string;
}

/** `field-ota package add` for a binary; by default the seed's firmware CIM-168 1.0.1. */
export function packageAddArgs({
  file,
  title = 'CIM-168',
  version = '1.0.1',
  profile = 'CIM-168',
  type = 'FIRMWARE',
}: PackageAddOptions): string[] {
  return [
    'package',
    'add',
    '--title',
    title,
    '--version',
    version,
    '--profile',
    profile,
    '--type',
    type,
    '--file',
    file,
  ];
}
