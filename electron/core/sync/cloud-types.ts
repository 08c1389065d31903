/**
 * The JSON the cloud (ThingsBoard's REST API, docs/cloud-api.md) answers with, checked at the
 * boundary. Objects are "loose": fields the station doesn't use are kept, because a device is
 * sent back whole when it is saved (POST /api/device replaces every field).
 */
import { z } from 'zod';

import { CHECKSUM_ALGORITHMS } from '../../../shared/protocol/checksum-algorithms';
import { OTA_PACKAGE_TYPES } from '../../../shared/protocol/ota-keys';

export const EntityId = z.looseObject({ entityType: z.string().optional(), id: z.string().min(1) });
export type EntityId = z.infer<typeof EntityId>;

export const Tokens = z.looseObject({ token: z.string().min(1), refreshToken: z.string().min(1) });
export type Tokens = z.infer<typeof Tokens>;

export const CloudProfile = z.looseObject({
  id: EntityId,
  createdTime: z.number(),
  name: z.string(),
  description: z.string().nullish(),
  default: z.boolean().optional(),
  firmwareId: EntityId.nullish(),
  softwareId: EntityId.nullish(),
  version: z.number().nullish(),
});
export type CloudProfile = z.infer<typeof CloudProfile>;

export const CloudDevice = z.looseObject({
  id: EntityId,
  createdTime: z.number(),
  name: z.string(),
  label: z.string().nullish(),
  type: z.string().nullish(),
  deviceProfileId: EntityId,
  firmwareId: EntityId.nullish(),
  softwareId: EntityId.nullish(),
  version: z.number().nullish(),
});
export type CloudDevice = z.infer<typeof CloudDevice>;

export const CloudCredentials = z.looseObject({
  credentialsType: z.string(),
  credentialsId: z.string().nullish(),
});
export type CloudCredentials = z.infer<typeof CloudCredentials>;

export const CloudPackageInfo = z.looseObject({
  id: EntityId,
  createdTime: z.number(),
  deviceProfileId: EntityId.nullish(),
  type: z.enum(OTA_PACKAGE_TYPES),
  title: z.string(),
  version: z.string(),
  tag: z.string().nullish(),
  url: z.string().nullish(),
  hasData: z.boolean().optional(),
  fileName: z.string().nullish(),
  contentType: z.string().nullish(),
  checksumAlgorithm: z.enum(CHECKSUM_ALGORITHMS).nullish(),
  checksum: z.string().nullish(),
  dataSize: z.number().nullish(),
});
export type CloudPackageInfo = z.infer<typeof CloudPackageInfo>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.looseObject({
    data: z.array(item),
    totalPages: z.number().optional(),
    totalElements: z.number().optional(),
    hasNext: z.boolean(),
  });
}
export interface Page<T> {
  data: T[];
  totalPages?: number | undefined;
  totalElements?: number | undefined;
  hasNext: boolean;
}

export const Timeseries = z.record(
  z.string(),
  z.array(z.looseObject({ ts: z.number(), value: z.unknown() })),
);
export type Timeseries = z.infer<typeof Timeseries>;

export const ErrorBody = z.looseObject({
  status: z.number().optional(),
  message: z.string().optional(),
  errorCode: z.number().optional(),
});
