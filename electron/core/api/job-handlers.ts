import { jobReportCsv, jobReportJson, jobReportRows } from '../jobs/job-report';
import type { ApiContext, DomainHandlers } from './api-context';

/** The jobs.* operations: rollouts with their policy, and their reports. */
export function createJobHandlers(
  ctx: Pick<ApiContext, 'jobs' | 'jobRepo' | 'executions' | 'notifier'>,
): DomainHandlers<'jobs'> {
  return {
    'jobs.create': async ({ packageId, deviceIds, profileId, policy, startAt }) =>
      ctx.jobs.create({ packageId, deviceIds, profileId, policy, startAt }),
    'jobs.list': async ({ limit }) => {
      ctx.notifier.flush();
      return ctx.jobRepo.list(limit);
    },
    'jobs.get': async ({ id }) => {
      ctx.notifier.flush();
      return { ...ctx.jobRepo.get(id), executions: ctx.executions.listByJob(id) };
    },
    'jobs.pause': async ({ id }) => ctx.jobs.pause(id),
    'jobs.resume': async ({ id }) => ctx.jobs.resume(id),
    'jobs.cancel': async ({ id }) => ctx.jobs.cancel(id),
    'jobs.report': async ({ id, format }) => {
      ctx.notifier.flush();
      const job = ctx.jobRepo.get(id);
      const executions = ctx.executions.listByJob(id);
      const rows = jobReportRows(executions);
      const base =
        `job-${job.packageTitle}-${job.packageVersion}-${new Date(job.createdAt).toISOString().slice(0, 19)}`.replace(
          /[^\w.-]+/g,
          '_',
        );
      return format === 'csv'
        ? { fileName: `${base}.csv`, contentType: 'text/csv', body: jobReportCsv(rows) }
        : {
            fileName: `${base}.json`,
            contentType: 'application/json',
            body: jobReportJson(job, executions, rows),
          };
    },
    'jobs.retryFailed': async ({ id }) => ctx.jobs.retryFailed(id),
  };
}
