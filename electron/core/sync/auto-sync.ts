import { logBackgroundError } from '../guarded';
import { backoffDelay, type BackoffOptions } from './backoff';

export interface AutoSyncOptions {
  /** While online: how often the cloud is checked and pending changes pushed. */
  intervalMs: number;
  /** While offline: probes back off from baseMs to capMs, with jitter. */
  backoff: BackoffOptions;
  random?: () => number;
}

export type TickResult = 'online' | 'offline' | 'stop';

/**
 * The timer behind automatic sync. Each tick probes the cloud (and pushes when it is there);
 * the next tick comes after the interval when online, after a growing, jittered delay when
 * offline, and never when the tick says stop (signed out, session refused).
 */
export class AutoSync {
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private running = false;
  private stopped = true;
  nextAt: number | null = null;

  constructor(
    private readonly options: AutoSyncOptions,
    private readonly tick: () => Promise<TickResult>,
    private readonly onSchedule: () => void,
  ) {}

  start(delayMs = 0): void {
    this.stopped = false;
    this.failures = 0;
    this.schedule(delayMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextAt = null;
    this.onSchedule();
  }

  get active(): boolean {
    return !this.stopped;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.stopped) return;
    this.nextAt = Date.now() + delayMs;
    this.timer = setTimeout(
      () => void this.run().catch((error: unknown) => logBackgroundError('auto-sync', error)),
      delayMs,
    );
    // A pending probe must not keep a CLI process or a test alive.
    this.timer.unref();
    this.onSchedule();
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    let result: TickResult;
    try {
      result = await this.tick();
    } catch {
      result = 'offline';
    } finally {
      this.running = false;
    }
    if (result === 'stop') return this.stop();
    if (result === 'online') {
      this.failures = 0;
      return this.schedule(this.options.intervalMs);
    }
    this.failures += 1;
    const { baseMs } = this.options.backoff;
    // At least half the base: full jitter alone could retry at once, again and again.
    this.schedule(
      Math.max(baseMs / 2, backoffDelay(this.failures, this.options.backoff, this.options.random)),
    );
  }
}
