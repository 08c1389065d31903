/**
 * A rate limit in ThingsBoard's notation, "N:seconds" windows separated by commas ("20:1,600:60":
 * at most 20 per second and 600 per minute). Each window is a token bucket that holds N and
 * refills N every `seconds`, so a burst up to N passes and the long-run rate is N/seconds, as
 * ThingsBoard's own limits (bucket4j) behave. The spec string is what devices are told.
 */
interface Bucket {
  readonly capacity: number;
  readonly perMs: number;
  tokens: number;
  at: number;
}

const WINDOW = /^(\d+):(\d+)$/;

/** Parses "N:seconds[,N:seconds...]"; throws RangeError on anything else. */
export function parseRateLimit(spec: string): { capacity: number; seconds: number }[] {
  const windows = spec.split(',').map((part) => {
    const match = WINDOW.exec(part.trim());
    const capacity = Number(match?.[1]);
    const seconds = Number(match?.[2]);
    if (!match || !Number.isSafeInteger(capacity) || capacity < 1 || seconds < 1) {
      throw new RangeError(`Rate limit "${spec}" is not of the form N:seconds[,N:seconds...]`);
    }
    return { capacity, seconds };
  });
  return windows;
}

export class RateLimit {
  private readonly buckets: Bucket[];

  constructor(spec: string, now = Date.now()) {
    this.buckets = parseRateLimit(spec).map(({ capacity, seconds }) => ({
      capacity,
      perMs: capacity / (seconds * 1000),
      tokens: capacity,
      at: now,
    }));
  }

  /** Takes `amount` from every window if all have it; otherwise takes nothing. */
  tryTake(amount: number, now = Date.now()): boolean {
    for (const bucket of this.buckets) {
      bucket.tokens = Math.min(bucket.capacity, bucket.tokens + (now - bucket.at) * bucket.perMs);
      bucket.at = now;
      if (bucket.tokens < amount) return false;
    }
    for (const bucket of this.buckets) bucket.tokens -= amount;
    return true;
  }
}
