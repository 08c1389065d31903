import type { Job, JobDetail, Package } from '../../shared/api/entities';
import type { OperationInput } from '../../shared/api/operations';
import { parseArgs } from '../../shared/api/validate';
import { startStationFixture, type StationFixture } from './station-fixture';
import { waitFor } from './wait';

export interface JobSite {
  fx: StationFixture;
  profileId: string;
  /** CIM-168 1.0.1 of device profile CIM-168, the package the jobs roll out. */
  pkg: Package;
  createJob(
    input: Omit<OperationInput<'jobs.create'>, 'packageId'>,
    packageId?: string,
  ): Promise<Job>;
  job(id: string): Promise<JobDetail>;
  /** The job once `check` holds for it (default bound 15 s: waiting for devices, not timing). */
  until(id: string, check: (job: JobDetail) => boolean, timeoutMs?: number): Promise<JobDetail>;
  close(): Promise<void>;
}

/** A station with device profile CIM-168 and its firmware `firmware`, for tests of jobs. */
export async function startJobSite(firmware: Buffer): Promise<JobSite> {
  const fx = await startStationFixture();
  const profileId = (await fx.profile('CIM-168')).id;
  const pkg = await fx.packageFrom(firmware, { profileId });
  const job = (id: string) => fx.station.api['jobs.get']({ id });
  return {
    fx,
    profileId,
    pkg,
    createJob: (input, packageId = pkg.id) =>
      fx.station.api['jobs.create'](parseArgs('jobs.create', { packageId, ...input })),
    job,
    until: (id, check, timeoutMs = 15_000) =>
      waitFor(
        async () => {
          const j = await job(id);
          return check(j) && j;
        },
        { timeoutMs },
      ),
    close: () => fx.close(),
  };
}
