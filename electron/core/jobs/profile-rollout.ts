import type { JobPolicy } from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import type { ProfileAssignment } from '../../../shared/api/operations';
import { OTA_PACKAGE_TYPES, type OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { OtaService } from '../ota/ota-service';
import type { DeviceRepository } from '../repositories/devices';
import { enqueueOutbox } from '../repositories/outbox';
import type { PackageRepository } from '../repositories/packages';
import type { ProfileRepository } from '../repositories/profiles';
import type { Db } from '../storage/database';
import type { JobService } from './job-service';

/** The package a device gets in each slot, before a change (see DeviceRepository.assignment). */
export type ResolvedPackages = Record<OtaPackageType, string | null>;

/**
 * A device profile's own firmware and software, as ThingsBoard has them: every device of the
 * profile without a package of its own gets the profile's. Changing it reaches those devices
 * at once (the shared attributes, or their deletion) through one job, so the Monitor, the
 * policy and the reports work as for any rollout; a device that comes to follow the profile
 * later gets it too. Devices with their own package are left alone.
 */
export class ProfileRollout {
  constructor(
    private readonly db: Db,
    private readonly repos: {
      profiles: ProfileRepository;
      devices: DeviceRepository;
      packages: PackageRepository;
    },
    private readonly ota: OtaService,
    private readonly jobs: JobService,
  ) {}

  /**
   * Makes the package the profile's firmware (software). The same package again changes
   * nothing, except for followers whose delivery of it failed or was canceled: they get it
   * again (ThingsBoard cannot re-send).
   */
  assign(
    profileId: string,
    packageId: string,
    policy: JobPolicy,
    now = Date.now(),
  ): ProfileAssignment {
    const { profiles, devices, packages } = this.repos;
    const profile = profiles.get(profileId);
    const pkg = packages.get(packageId);
    if (pkg.profileId !== profileId) {
      throw new ApiError(
        'BAD_REQUEST',
        `${pkg.title} ${pkg.version} is a package for device profile "${pkg.profileName}", not "${profile.name}"`,
        { packageId: 'belongs to another device profile' },
      );
    }
    if (pkg.status === 'CORRUPT') {
      throw new ApiError(
        'CONFLICT',
        `${pkg.title} ${pkg.version} is corrupt in the cache (${pkg.statusDetail ?? 'hash mismatch'}); add it again`,
      );
    }
    const changed = profiles.packageId(profileId, pkg.type) !== pkg.id;
    const followers = devices.followers(profileId, pkg.type);
    const targets = changed
      ? followers
      : followers.filter((d) => !this.jobs.hasDelivery(d.id, pkg));
    if (changed)
      this.db.transaction(() => {
        profiles.setPackage(profileId, pkg.type, pkg.id);
        enqueueProfileAssignment(this.db, profileId, pkg.type, now);
      })();
    const job = targets.length > 0 ? this.jobs.startProfileJob(pkg, targets, policy, now) : null;
    return { profile: profiles.get(profileId), changed, devices: targets.length, job };
  }

  /** Clears the profile's firmware (software): withdrawn from every device that followed it. */
  unassign(profileId: string, type: OtaPackageType, now = Date.now()): ProfileAssignment {
    const { profiles, devices } = this.repos;
    const profile = profiles.get(profileId);
    if (profiles.packageId(profileId, type) === null)
      return { profile, changed: false, devices: 0, job: null };
    const followers = devices.followers(profileId, type);
    const reason = `Un-assigned from device profile ${profile.name}`;
    this.db.transaction(() => {
      profiles.setPackage(profileId, type, null);
      enqueueProfileAssignment(this.db, profileId, type, now);
      for (const device of followers) this.ota.withdraw(device.id, type, now, reason);
    })();
    return {
      profile: profiles.get(profileId),
      changed: true,
      devices: followers.length,
      job: null,
    };
  }

  /** What a device gets now, to compare after it joins or leaves a profile. */
  resolved(deviceId: string): ResolvedPackages {
    const { devices } = this.repos;
    return {
      FIRMWARE: devices.assignedPackageId(deviceId, 'FIRMWARE'),
      SOFTWARE: devices.assignedPackageId(deviceId, 'SOFTWARE'),
    };
  }

  /**
   * A device added to a profile, or moved to another (`before`: what it got until then): the
   * profile's packages reach it, and a package it no longer gets is withdrawn, as ThingsBoard
   * does when a device is saved.
   */
  deviceJoined(deviceId: string, before: ResolvedPackages | null, now = Date.now()): void {
    const { devices, packages } = this.repos;
    for (const type of OTA_PACKAGE_TYPES) {
      const current = devices.assignment(deviceId, type);
      if (!current || current.packageId === (before?.[type] ?? null)) continue;
      const pkg =
        current.packageId && current.from === 'PROFILE' ? packages.find(current.packageId) : null;
      if (pkg) this.jobs.followProfile(deviceId, pkg, now);
      else if (current.packageId === null)
        this.ota.withdraw(deviceId, type, now, 'Moved to a device profile without one');
    }
  }
}

/**
 * The cloud must learn the profile's new package. Only the slot is recorded: the push sends what
 * the profile has then, so a later change supersedes this one.
 */
function enqueueProfileAssignment(db: Db, profileId: string, type: OtaPackageType, now: number) {
  enqueueOutbox(db, {
    kind: 'profile-assignment.set',
    entityId: profileId,
    payload: { type },
    now,
  });
}
