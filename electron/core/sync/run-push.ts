import type { PushSummary } from '../../../shared/api/entities';
import type { CloudClient } from './cloud-client';
import { describeCloudError } from './cloud-errors';
import { pushOutbox } from './push/outbox-push';
import { pushTelemetry } from './push/push-telemetry';
import type { RunContext } from './run-pull';

/**
 * One push: a quick probe, the outbox in order, then the telemetry. Progress is shown and the
 * outcome logged; a push stopped by the network resumes in order next time.
 */
export async function runPush(ctx: RunContext, client: CloudClient): Promise<PushSummary> {
  const { deps, settings, state } = ctx;
  const summary: PushSummary = {
    pushed: {
      profiles: 0,
      devices: 0,
      packages: 0,
      assignments: 0,
      settled: 0,
      telemetryPoints: 0,
    },
    remaining: 0,
    conflicts: 0,
    failed: 0,
    error: null,
    finishedAt: 0,
  };
  const progress = state.reporter('PUSH');
  progress('checking the cloud', 0, null);
  try {
    // A quick look first: when the cloud is not there, "Sync now" answers at once.
    try {
      await client.probe();
    } catch (error) {
      state.stopReason(error);
      summary.error = `The cloud is not reachable (${describeCloudError(error)}); changes stay queued`;
      summary.remaining = deps.queue.items().length;
      return { ...summary, finishedAt: Date.now() };
    }
    const pushCtx = { deps, client };
    const outbox = await pushOutbox(pushCtx, progress);
    state.waiting = outbox.waiting;
    summary.pushed = {
      profiles: outbox.profiles,
      devices: outbox.devices,
      packages: outbox.packages,
      assignments: outbox.assignments,
      settled: outbox.settled,
      telemetryPoints: 0,
    };
    summary.remaining = outbox.remaining;
    summary.conflicts = outbox.conflicts;
    summary.failed = outbox.failed;
    let stoppedBy = outbox.stoppedBy;
    if (stoppedBy === undefined) {
      const telemetry = await pushTelemetry(pushCtx, progress);
      summary.pushed.telemetryPoints = telemetry.points;
      stoppedBy = telemetry.stoppedBy;
    }
    if (stoppedBy !== undefined) {
      state.stopReason(stoppedBy);
      summary.error = `The push stopped (${describeCloudError(stoppedBy)}); it resumes in order next time`;
    } else {
      state.reachable();
      settings.set('cloud.lastPushAt', Date.now());
    }
    deps.log(summary.error ? 'warning' : 'info', pushMessage(summary));
    return { ...summary, finishedAt: Date.now() };
  } finally {
    state.setActivity(null);
  }
}

function pushMessage(s: PushSummary): string {
  const p = s.pushed;
  return (
    `Pushed: ${p.profiles} profile(s), ${p.devices} device(s), ${p.packages} package(s), ${p.assignments} assignment(s), ` +
    `${p.telemetryPoints} telemetry point(s); ${s.remaining} waiting, ${s.conflicts} conflict(s), ${s.failed} failed` +
    (s.error ? `. ${s.error}` : '')
  );
}
