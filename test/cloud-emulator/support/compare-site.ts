import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import Database from 'better-sqlite3';

import { DATABASE_FILE_NAME } from '../../../electron/core/storage/database';
import type { CloudState } from '../cloud-state';

/**
 * What the cloud knows against what the station recorded: every package (bytes and checksum),
 * device (token), assignment and telemetry point of the station must be in the cloud once.
 * `lost` lists what is missing or different; `duplicates` what the cloud got more than once
 * (two creations of one package or device, an assignment applied twice, telemetry points the
 * station never recorded). `redelivered` counts points sent again after a lost answer, which the
 * cloud's key+ts storage absorbed (not duplicates).
 */
export interface SiteComparison {
  lost: string[];
  duplicates: string[];
  redelivered: number;
  checked: { packages: number; devices: number; assignments: number; telemetryPoints: number };
  outboxLeft: number;
}

export function compareSiteWithCloud(dataDir: string, cloud: CloudState): SiteComparison {
  const db = new Database(path.join(dataDir, DATABASE_FILE_NAME), { fileMustExist: true });
  try {
    return compare(db, dataDir, cloud);
  } finally {
    db.close();
  }
}

function compare(db: Database.Database, dataDir: string, cloud: CloudState): SiteComparison {
  const lost: string[] = [];
  const duplicates: string[] = [];
  const checked = { packages: 0, devices: 0, assignments: 0, telemetryPoints: 0 };

  const packages = db.prepare('SELECT * FROM packages').all() as {
    id: string;
    title: string;
    version: string;
    checksum_algorithm: string;
    checksum: string;
    sha256: string;
    cloud_id: string | null;
  }[];
  const cloudIdOfPackage = new Map<string, string | null>();
  for (const p of packages) {
    checked.packages += 1;
    cloudIdOfPackage.set(p.id, p.cloud_id);
    const remote = p.cloud_id ? cloud.packages.get(p.cloud_id) : undefined;
    if (!remote) {
      lost.push(`package ${p.title} ${p.version} is not in the cloud`);
      continue;
    }
    const bytes = fs.readFileSync(path.join(dataDir, 'packages', 'blobs', p.sha256));
    if (!remote.data?.equals(bytes))
      lost.push(`package ${p.title} ${p.version}: the cloud's bytes differ`);
    if (remote.checksumAlgorithm !== p.checksum_algorithm || remote.checksum !== p.checksum)
      lost.push(`package ${p.title} ${p.version}: the cloud's checksum differs`);
  }

  const devices = db.prepare('SELECT * FROM devices WHERE cloud_deleted_at IS NULL').all() as {
    id: string;
    name: string;
    access_token: string;
    firmware_id: string | null;
    software_id: string | null;
    cloud_id: string | null;
  }[];
  const cloudIdOfDevice = new Map<string, string>();
  for (const d of devices) {
    checked.devices += 1;
    const remote = d.cloud_id ? cloud.devices.get(d.cloud_id) : undefined;
    if (!remote) {
      lost.push(`device ${d.name} is not in the cloud`);
      continue;
    }
    cloudIdOfDevice.set(d.id, remote.id);
    if (cloud.credentialsOf(remote.id).token !== d.access_token)
      lost.push(`device ${d.name}: another token in the cloud`);
    for (const [slot, local, remoteSlot] of [
      ['firmware', d.firmware_id, remote.firmwareId],
      ['software', d.software_id, remote.softwareId],
    ] as const) {
      checked.assignments += 1;
      const expected = local ? (cloudIdOfPackage.get(local) ?? 'not in the cloud') : null;
      if (expected !== remoteSlot)
        lost.push(`device ${d.name}: the cloud's ${slot} assignment differs`);
    }
  }

  const rows = db
    .prepare('SELECT device_id, key, ts, value FROM telemetry WHERE sync_seq IS NOT NULL')
    .all() as {
    device_id: string;
    key: string;
    ts: number;
    value: string;
  }[];
  const expectedPoints = new Set<string>();
  for (const row of rows) {
    const cloudId = cloudIdOfDevice.get(row.device_id);
    if (!cloudId) continue;
    checked.telemetryPoints += 1;
    expectedPoints.add(`${cloudId}|${row.key}|${row.ts}`);
    const point = cloud.telemetry.get(cloudId)?.get(row.key)?.get(row.ts);
    if (!point) lost.push(`telemetry ${row.key}@${row.ts} of ${row.device_id} is not in the cloud`);
    else if (!isDeepStrictEqual(point.value, JSON.parse(row.value)))
      lost.push(
        `telemetry ${row.key}@${row.ts}: the cloud has ${JSON.stringify(point.value)}, the station ${row.value}`,
      );
  }
  for (const [cloudId, byKey] of cloud.telemetry) {
    for (const [key, series] of byKey) {
      for (const [ts, point] of series) {
        if (point.origin === 'device' && !expectedPoints.has(`${cloudId}|${key}|${ts}`))
          duplicates.push(`telemetry ${key}@${ts} of ${cloudId} was never recorded on site`);
      }
    }
  }
  for (const [what, counts] of [
    ['package', cloud.counters.packageCreates],
    ['device', cloud.counters.deviceCreates],
    ['device profile', cloud.counters.profileCreates],
    ['assignment', cloud.counters.assignmentsApplied],
  ] as const) {
    for (const [key, n] of counts) if (n > 1) duplicates.push(`${what} ${key} applied ${n} times`);
  }
  const outboxLeft = (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  return {
    lost,
    duplicates,
    redelivered: cloud.counters.telemetryRedelivered,
    checked,
    outboxLeft,
  };
}
