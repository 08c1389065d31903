import type { Migration } from '../migrations';

export const migration: Migration = {
  version: 9,
  name: 'profile packages',
  sql: `
    -- A device profile's firmware and software, as ThingsBoard's device profile has them: every
    -- device of the profile without a package of its own gets the profile's. Deleting a package
    -- a profile uses is refused on site (PackageRepository.delete); a row removed all the same
    -- (a package deleted in the cloud that no device ever got) leaves the profile without one
    -- rather than failing the whole pull.
    ALTER TABLE device_profiles ADD COLUMN firmware_id TEXT REFERENCES packages (id) ON DELETE SET NULL;
    ALTER TABLE device_profiles ADD COLUMN software_id TEXT REFERENCES packages (id) ON DELETE SET NULL;
    -- The profile as the cloud last showed it (JSON, with its version): a change of its
    -- packages made on site is saved back whole over it, as a device's is.
    ALTER TABLE device_profiles ADD COLUMN cloud_snapshot TEXT;
  `,
};
