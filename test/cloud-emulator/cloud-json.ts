import {
  type CloudState,
  type CredentialsRecord,
  type DeviceRecord,
  NULL_CUSTOMER_ID,
  type PackageRecord,
  type ProfileRecord,
  TENANT_ID,
} from './cloud-state';

/** The JSON shapes ThingsBoard's REST API answers with. */
export function entityId(
  entityType: string,
  id: string | null,
): { entityType: string; id: string } | null {
  return id === null ? null : { entityType, id };
}

const tenantId = () => entityId('TENANT', TENANT_ID);

export function profileJson(p: ProfileRecord): Record<string, unknown> {
  return {
    id: entityId('DEVICE_PROFILE', p.id),
    createdTime: p.createdTime,
    tenantId: tenantId(),
    name: p.name,
    description: p.description,
    type: 'DEFAULT',
    transportType: 'DEFAULT',
    provisionType: 'DISABLED',
    default: p.isDefault,
    defaultRuleChainId: null,
    defaultDashboardId: null,
    defaultQueueName: null,
    profileData: {
      configuration: { type: 'DEFAULT' },
      transportConfiguration: { type: 'DEFAULT' },
      provisionConfiguration: { type: 'DISABLED', provisionDeviceSecret: null },
      alarms: null,
    },
    provisionDeviceKey: null,
    firmwareId: entityId('OTA_PACKAGE', p.firmwareId),
    softwareId: entityId('OTA_PACKAGE', p.softwareId),
    defaultEdgeRuleChainId: null,
    externalId: null,
    version: p.version,
  };
}

export function deviceJson(state: CloudState, d: DeviceRecord): Record<string, unknown> {
  return {
    id: entityId('DEVICE', d.id),
    createdTime: d.createdTime,
    additionalInfo: d.additionalInfo,
    tenantId: tenantId(),
    customerId: entityId('CUSTOMER', NULL_CUSTOMER_ID),
    name: d.name,
    type: state.profiles.get(d.profileId)?.name ?? 'default',
    label: d.label,
    deviceProfileId: entityId('DEVICE_PROFILE', d.profileId),
    deviceData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' } },
    firmwareId: entityId('OTA_PACKAGE', d.firmwareId),
    softwareId: entityId('OTA_PACKAGE', d.softwareId),
    externalId: null,
    version: d.version,
  };
}

export function credentialsJson(c: CredentialsRecord): Record<string, unknown> {
  return {
    id: { id: c.id },
    createdTime: c.createdTime,
    deviceId: entityId('DEVICE', c.deviceId),
    credentialsType: 'ACCESS_TOKEN',
    credentialsId: c.token,
    credentialsValue: null,
  };
}

export function packageInfoJson(p: PackageRecord): Record<string, unknown> {
  return {
    id: entityId('OTA_PACKAGE', p.id),
    createdTime: p.createdTime,
    tenantId: tenantId(),
    deviceProfileId: entityId('DEVICE_PROFILE', p.profileId),
    type: p.type,
    title: p.title,
    version: p.version,
    tag: p.tag,
    url: null,
    hasData: p.data !== null,
    fileName: p.fileName,
    contentType: p.contentType,
    checksumAlgorithm: p.checksumAlgorithm,
    checksum: p.checksum,
    dataSize: p.data?.length ?? null,
    externalId: null,
    additionalInfo: p.additionalInfo,
    name: `${p.title} (${p.version})`,
  };
}

/** `{"data","totalPages","totalElements","hasNext"}` for a 0-based page. */
export function page<T>(items: readonly T[], pageSize: number, pageIndex: number) {
  const start = pageIndex * pageSize;
  return {
    data: items.slice(start, start + pageSize),
    totalPages: Math.ceil(items.length / pageSize),
    totalElements: items.length,
    hasNext: start + pageSize < items.length,
  };
}

/** Telemetry values go out as strings, as ThingsBoard's timeseries API sends them. */
export function telemetryValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
