import type { TelemetryRepository } from './repositories/telemetry';
import type { Db } from './storage/database';

export interface RetentionOptions {
  /**
   * Rows older than this go even if they were never pushed: without a cloud sign-in nothing is,
   * and this is what bounds the database on a long day.
   */
  maxAgeMs: number;
  /** Rows deleted per transaction; small, so that devices are served between batches. */
  batchRows: number;
  /** Pause between batches while there is more to delete. */
  pauseMs: number;
  /** Time between passes once nothing is left. */
  intervalMs: number;
  /** How often the age of the telemetry sequence is marked (the granularity of the age). */
  markEveryMs: number;
}

export const DEFAULT_TELEMETRY_MAX_AGE_DAYS = 7;

export const DEFAULT_RETENTION: RetentionOptions = {
  maxAgeMs: DEFAULT_TELEMETRY_MAX_AGE_DAYS * 24 * 3600_000,
  batchRows: 1000,
  pauseMs: 20,
  intervalMs: 60_000,
  markEveryMs: 60_000,
};

/**
 * Removes telemetry that has been pushed to the cloud, or that is older than the configured age,
 * in small transactions with the event loop free in between, so the device API never waits long
 * for it. The newest value of each key stays. Freed pages are reused by SQLite for new rows, so
 * the file stops growing once retention applies (it does not shrink: no VACUUM on a live file).
 */
export class TelemetryRetention {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Figures for tests and benchmarks. */
  readonly stats = { batches: 0, rowsDeleted: 0, largestBatch: 0 };

  constructor(
    private readonly db: Db,
    private readonly telemetry: TelemetryRepository,
    private readonly options: RetentionOptions,
  ) {}

  /** The first pass comes one interval after the start, which has enough to do already. */
  start(): void {
    this.schedule(this.options.intervalMs);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  private tick(): void {
    let deleted = 0;
    try {
      deleted = this.batch(Date.now());
    } catch (error) {
      // A busy or failing disk: try again at the next pass, the station goes on.
      console.error('telemetry retention:', error);
    }
    this.schedule(
      deleted >= this.options.batchRows ? this.options.pauseMs : this.options.intervalMs,
    );
  }

  /** One transaction of at most batchRows deletions; returns how many rows went. */
  private batch(now: number): number {
    const { telemetry, options } = this;
    return this.db.transaction(() => {
      telemetry.markAge(now, options.markEveryMs);
      const ageSeq = telemetry.sequenceAt(now - options.maxAgeMs);
      let left = options.batchRows;
      for (const { deviceId, bound } of telemetry.retentionBounds(ageSeq)) {
        if (bound <= 0) continue;
        left -= telemetry.deleteUpTo(deviceId, bound, left);
        if (left <= 0) break;
      }
      const deleted = options.batchRows - left;
      if (deleted > 0) {
        this.stats.batches += 1;
        this.stats.rowsDeleted += deleted;
        this.stats.largestBatch = Math.max(this.stats.largestBatch, deleted);
      }
      return deleted;
    })();
  }
}
