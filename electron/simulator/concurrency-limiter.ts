/**
 * Runs at most `limit` tasks at a time, the rest wait in order. Used to ramp up connections:
 * a thousand simultaneous SYNs overflow the listen backlog and turn into slow retries.
 */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so `running` never dips below the limit.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
