import type { Migration } from '../migrations';

export const migration: Migration = {
  version: 9,
  name: 'profile packages',
  sql: `
    -- A device profile's firmware and software, as ThingsBoard's device profile has them: every
    -- device of the profile without a package of its own gets the profile's. A package a
    -- profile uses cannot be deleted (the foreign key, and the repository's refusal before it).
    ALTER TABLE device_profiles ADD COLUMN firmware_id TEXT REFERENCES packages (id);
    ALTER TABLE device_profiles ADD COLUMN software_id TEXT REFERENCES packages (id);
  `,
};
