import { useEffect, useRef } from 'react';

import type { Execution, Job } from '../../shared/api/entities';
import { silentSeconds } from './components/ConnectionStatusItem';
import { Icon } from './components/Icon';
import { Navigation, PAGES } from './components/Navigation';
import { jobSubject } from './components/notices';
import { StatusHeader } from './components/StatusHeader';
import { useNotifier } from './components/Toasts';
import { formatClock } from './lib/format';
import { useHashRoute } from './lib/use-hash-route';
import { DevicesPage } from './pages/devices/DevicesPage';
import { MonitorPage } from './pages/monitor/MonitorPage';
import { PackagesPage } from './pages/packages/PackagesPage';
import { StationPage } from './pages/station/StationPage';
import { SyncPage } from './pages/sync/SyncPage';
import { useSlice, useStation } from './state/store-context';

export function App() {
  const page = useHashRoute();
  const title = PAGES.find((p) => p.name === page)?.title ?? '';
  useEffect(() => {
    document.title = `${title} · ServicePleX Field OTA`;
  }, [title]);
  useFinishedUpdateNotices();
  useJobNotices();
  useRecoveryNotice();

  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={focusMain}>
        Skip to content
      </a>
      <Navigation current={page} />
      <div className="main-column">
        <StatusHeader />
        <ConnectionBanner />
        <main id="main" tabIndex={-1} className="page">
          {page === 'packages' && <PackagesPage />}
          {page === 'devices' && <DevicesPage />}
          {page === 'monitor' && <MonitorPage />}
          {page === 'station' && <StationPage />}
          {page === 'sync' && <SyncPage />}
        </main>
      </div>
    </div>
  );
}

function focusMain(event: React.MouseEvent) {
  // The hash routes pages, so the skip link moves focus itself instead of navigating.
  event.preventDefault();
  document.getElementById('main')?.focus();
}

/** Offline is normal: the last known state stays on screen while the link comes back. */
function ConnectionBanner() {
  const connection = useSlice('connection');
  const silentSince = useSlice('silentSince');
  const loadError = useSlice('loadError');
  const { store } = useStation();
  if (connection === 'refused') {
    return (
      <div className="banner banner-error" role="alert">
        <Icon name="alert" />
        <span>
          The station was restarted with a new access secret: open the address it printed when it
          started ({window.location.origin}/?token=…) to reconnect. The pages show the last known
          state meanwhile.
        </span>
      </div>
    );
  }
  if (silentSince !== null) {
    return (
      <div className="banner banner-warning" role="status">
        <Icon name="alert" />
        <span>
          The station has not responded since {formatClock(silentSince)}: it may be busy or stuck.
          The pages show the last known state and update again once it answers.
        </span>
      </div>
    );
  }
  if (connection === 'reconnecting') {
    return (
      <div className="banner banner-warning" role="status">
        <Icon name="refresh" />
        <span>
          Connection to the station lost: reconnecting… The pages show the last known state and
          update again once it is back.
        </span>
      </div>
    );
  }
  if (loadError) {
    return (
      <div className="banner banner-error" role="alert">
        <Icon name="alert" />
        <span>Could not load the station's data: {loadError}</span>
        <button type="button" className="button button-small" onClick={() => void store.reload()}>
          Retry
        </button>
      </div>
    );
  }
  return null;
}

/** Says once that a silent station answers again, and how long it was silent. */
function useRecoveryNotice() {
  const silentSince = useSlice('silentSince');
  const { toast } = useNotifier();
  const was = useRef<number | null>(null);
  useEffect(() => {
    const since = was.current;
    was.current = silentSince;
    if (since === null || silentSince !== null) return;
    toast(
      'success',
      `The station responds again (silent for ${silentSeconds(since, Date.now())} s)`,
      { subject: 'station-connection' },
    );
  }, [silentSince, toast]);
}

const NOTICE_BATCH_MS = 1_000;

/** Finished updates are announced (live region) and toasted, gathered per second so a fleet doesn't flood. */
function useFinishedUpdateNotices() {
  const { store } = useStation();
  const { toast, announce } = useNotifier();
  const batch = useRef<Execution[]>([]);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const finished = batch.current;
      batch.current = [];
      if (finished.length === 0) return;
      const text = describeFinished(finished);
      // A canceled update is the technician's choice, not a failure to flag in red.
      const anyFailed = finished.some((e) => e.state !== 'UPDATED' && e.state !== 'CANCELED');
      announce(text);
      toast(anyFailed ? 'error' : 'success', text, { silent: true, subject: subjectOf(finished) });
    };
    const stop = store.onFinished((execution) => {
      batch.current.push(execution);
      timer ??= setTimeout(flush, NOTICE_BATCH_MS);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [store, toast, announce]);
}

/**
 * A job that ends or pauses itself is said once, in the live region and a toast. Jobs of one
 * device are left to the update notices above, which already name the device.
 */
function useJobNotices() {
  const { store } = useStation();
  const { toast, announce } = useNotifier();
  useEffect(
    () =>
      store.onJobNotice((job) => {
        const text = describeJobNotice(job);
        if (job.status === 'PAUSED') {
          announce(text);
          toast('error', text, { silent: true, subject: jobSubject(job.id) });
        } else if (job.counts.total > 1) {
          announce(text);
          toast(job.counts.failed > 0 ? 'error' : 'success', text, {
            silent: true,
            subject: jobSubject(job.id),
          });
        }
      }),
    [store, toast, announce],
  );
}

/** Updates of one job share the job's toast; a mix (or single assignments) share one per device. */
function subjectOf(finished: Execution[]): string | undefined {
  const jobs = new Set(finished.map((e) => e.jobId));
  const [only] = jobs;
  if (jobs.size === 1 && only) return jobSubject(only);
  const devices = new Set(finished.map((e) => e.deviceId));
  const [device] = devices;
  return devices.size === 1 && device ? `device:${device}` : undefined;
}

function describeJobNotice(job: Job): string {
  const name = `Job ${job.packageTitle} ${job.packageVersion}`;
  const { updated, failed, total } = job.counts;
  if (job.status === 'PAUSED') return `${name} paused itself: ${job.statusReason ?? ''}`;
  const outcome = `${updated} of ${total} updated${failed > 0 ? `, ${failed} failed` : ''}`;
  return job.status === 'COMPLETED'
    ? `${name} completed: ${outcome}`
    : `${name} canceled: ${outcome}`;
}

function describeFinished(finished: Execution[]): string {
  const [only] = finished;
  if (finished.length === 1 && only) {
    const what = `${only.packageTitle} ${only.packageVersion}`;
    if (only.state === 'UPDATED') return `${only.deviceName} updated to ${what}`;
    return `${only.deviceName}: update to ${what} ${only.state}${only.error ? ` (${only.error})` : ''}`;
  }
  const byState = new Map<string, number>();
  for (const e of finished) byState.set(e.state, (byState.get(e.state) ?? 0) + 1);
  const parts = [...byState].map(([state, n]) => `${n} ${state}`);
  return `${finished.length} updates finished: ${parts.join(', ')}`;
}
