/**
 * What one device may write to the station's disk: telemetry and client attributes are stored,
 * so a chatty or hostile device could fill a laptop's disk. Each message has a size limit, and
 * each device (all its sessions together: reconnecting refills nothing) a rate limit in
 * messages, data points and bytes. The first two are ThingsBoard's own limits and are told to
 * devices in getSessionLimits; the SDKs then pace themselves below them.
 */
import { parseRateLimit, RateLimit } from './rate-limit';

export interface UplinkLimitOptions {
  /** Largest telemetry or attributes payload in bytes (ThingsBoard's default payload cap). */
  maxMessageBytes: number;
  /** Telemetry messages per device, "N:seconds,..." (ThingsBoard's telemetryMessages). */
  telemetryMessages: string;
  /** Telemetry data points per device (ThingsBoard's telemetryDataPoints). */
  telemetryDataPoints: string;
  /** Bytes of telemetry and attributes per device; the station's own, not announced. */
  bytes: string;
}

export const DEFAULT_UPLINK_LIMITS: UplinkLimitOptions = {
  maxMessageBytes: 64 * 1024,
  telemetryMessages: '20:1,600:60,6000:3600',
  telemetryDataPoints: '200:1,6000:60,60000:3600',
  // One largest message per second at most, 1 MiB a minute, 8 MiB an hour.
  bytes: '65536:1,1048576:60,8388608:3600',
};

export type UplinkVerdict = 'ok' | 'too-large' | 'rate-limited';

interface DeviceBudget {
  messages: RateLimit;
  points: RateLimit;
  bytes: RateLimit;
}

export class UplinkLimits {
  readonly options: UplinkLimitOptions;
  /** One per device that sent something; bounded by the devices in the database. */
  private readonly budgets = new Map<string, DeviceBudget>();

  constructor(options: Partial<UplinkLimitOptions> = {}) {
    this.options = { ...DEFAULT_UPLINK_LIMITS, ...options };
    // A typo in a flag fails at start, not at the first message.
    for (const spec of [
      this.options.telemetryMessages,
      this.options.telemetryDataPoints,
      this.options.bytes,
    ]) {
      parseRateLimit(spec);
    }
    const { maxMessageBytes } = this.options;
    if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1) {
      throw new RangeError(`maxMessageBytes must be a positive integer, got ${maxMessageBytes}`);
    }
  }

  /** What getSessionLimits tells devices, in ThingsBoard's field names. */
  announced(): Record<string, string> {
    return {
      telemetryMessages: this.options.telemetryMessages,
      telemetryDataPoints: this.options.telemetryDataPoints,
    };
  }

  /** Checked before parsing: a message over the size limit is not even read. */
  checkSize(payloadBytes: number): UplinkVerdict {
    return payloadBytes > this.options.maxMessageBytes ? 'too-large' : 'ok';
  }

  telemetry(deviceId: string, payloadBytes: number, points: number): UplinkVerdict {
    const budget = this.budget(deviceId);
    const now = Date.now();
    if (!budget.messages.tryTake(1, now)) return 'rate-limited';
    if (!budget.points.tryTake(points, now) || !budget.bytes.tryTake(payloadBytes, now)) {
      return 'rate-limited';
    }
    return 'ok';
  }

  attributes(deviceId: string, payloadBytes: number): UplinkVerdict {
    return this.budget(deviceId).bytes.tryTake(payloadBytes) ? 'ok' : 'rate-limited';
  }

  private budget(deviceId: string): DeviceBudget {
    let budget = this.budgets.get(deviceId);
    if (!budget) {
      budget = {
        messages: new RateLimit(this.options.telemetryMessages),
        points: new RateLimit(this.options.telemetryDataPoints),
        bytes: new RateLimit(this.options.bytes),
      };
      this.budgets.set(deviceId, budget);
    }
    return budget;
  }
}
