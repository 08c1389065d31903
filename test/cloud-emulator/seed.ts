import { checksumOfBuffer } from '../../electron/core/packages/checksum';
import type { CloudState, DeviceRecord, PackageRecord, ProfileRecord } from './cloud-state';

/** A site as the console would have set it up: a profile, devices, packages, assignments. */
export interface SiteSeed {
  profile: string;
  devices: readonly { name: string; token: string }[];
  packages?: readonly {
    title: string;
    version: string;
    data: Buffer;
    type?: 'FIRMWARE' | 'SOFTWARE';
  }[];
  /** device name -> "title@version" of its firmware. */
  firmware?: Record<string, string>;
}

export interface SeededSite {
  profile: ProfileRecord;
  devices: Map<string, DeviceRecord>;
  packages: Map<string, PackageRecord>;
}

export function seedSite(state: CloudState, seed: SiteSeed): SeededSite {
  const profile = state.profileByName(seed.profile) ?? state.createProfile({ name: seed.profile });
  const packages = new Map<string, PackageRecord>();
  for (const p of seed.packages ?? []) {
    const created = state.createPackage({
      title: p.title,
      version: p.version,
      type: p.type ?? 'FIRMWARE',
      deviceProfileId: profile.id,
    });
    state.uploadPackageData(
      created.id,
      {
        data: p.data,
        fileName: `${p.title}-${p.version}.bin`,
        contentType: 'application/octet-stream',
      },
      'SHA256',
      checksumOfBuffer('SHA256', p.data),
    );
    packages.set(`${p.title}@${p.version}`, created);
  }
  const devices = new Map<string, DeviceRecord>();
  for (const d of seed.devices) {
    devices.set(d.name, state.saveDevice({ name: d.name, deviceProfileId: profile.id }, d.token));
  }
  for (const [name, ref] of Object.entries(seed.firmware ?? {})) {
    const device = devices.get(name);
    const pkg = packages.get(ref);
    if (!device || !pkg) throw new Error(`seed: unknown device ${name} or package ${ref}`);
    devices.set(
      name,
      state.saveDevice({
        ...device,
        deviceProfileId: profile.id,
        firmwareId: pkg.id,
        version: device.version,
      }),
    );
  }
  return { profile, devices, packages };
}

/** Deterministic bytes, so a test's binaries are reproducible. */
export function firmwareBytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
