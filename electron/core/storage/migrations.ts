import { migration as m001 } from './schema/001-station';
import { migration as m002 } from './schema/002-cloud-sync';
import { migration as m003 } from './schema/003-jobs';
import { migration as m004 } from './schema/004-job-retry-delay';
import { migration as m005 } from './schema/005-station-settings';
import { migration as m006 } from './schema/006-pending-telemetry-count';
import { migration as m007 } from './schema/007-telemetry-retention';
import { migration as m008 } from './schema/008-execution-attempts';
import { migration as m009 } from './schema/009-profile-packages';

/**
 * Numbered schema migrations: one file each in schema/ (NNN-name.ts), listed here in order.
 * Append only: a shipped migration is never edited, because technicians' laptops already ran
 * it. Each runs inside the single start-up transaction.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  m001,
  m002,
  m003,
  m004,
  m005,
  m006,
  m007,
  m008,
  m009,
];
