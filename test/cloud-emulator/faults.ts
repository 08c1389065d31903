/**
 * Fault injection for the cloud emulator: what a flaky site uplink and a busy server do to
 * requests. Random faults come from a seeded generator so a failing run can be replayed.
 */
export const FAULT_KINDS = [
  /** The connection is cut before the request is processed (the cloud changed nothing). */
  'drop-request',
  /** Half the request body arrives, then the connection is cut (uploads, telemetry). */
  'drop-mid-upload',
  /** The request is processed, then the connection is cut before the answer: the client can't know. */
  'drop-response',
  /** 500 GENERAL, nothing processed. */
  'error-500',
  /** 429 TOO_MANY_REQUESTS with Retry-After, nothing processed. */
  'error-429',
  /** The answer is held back (then the request proceeds normally). */
  'delay',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface RequestInfo {
  method: string;
  path: string;
}

export interface RandomFaultOptions {
  /** Probability (0..1) that a request gets a fault. */
  rate: number;
  seed?: number;
  /** Which kinds to draw from (default all). */
  kinds?: readonly FaultKind[];
  /** Requests that never get a random fault (default: sign-in, so a run can start). */
  spare?: (request: RequestInfo) => boolean;
}

export interface ScriptedFault {
  kind: FaultKind;
  match: (request: RequestInfo) => boolean;
  /** How many matching requests it hits (default 1). */
  times?: number;
}

/** mulberry32: tiny, seedable, good enough to pick faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const isSignIn = (r: RequestInfo) => r.path === '/api/auth/login' || r.path === '/api/auth/token';

export class FaultPlan {
  private random: (() => number) | undefined;
  private options: RandomFaultOptions | undefined;
  private readonly scripted: (ScriptedFault & { left: number })[] = [];
  readonly injected: Record<FaultKind, number> = Object.fromEntries(
    FAULT_KINDS.map((k) => [k, 0]),
  ) as Record<FaultKind, number>;

  /** Random faults on a share of all requests; `rate: 0` turns them off. */
  setRandom(options: RandomFaultOptions | undefined): void {
    this.options = options && options.rate > 0 ? options : undefined;
    this.random = this.options ? seededRandom(this.options.seed ?? 1) : undefined;
  }

  /** A fault for the next matching request(s), before any random one. */
  inject(fault: ScriptedFault): void {
    this.scripted.push({ ...fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.scripted.length = 0;
    this.setRandom(undefined);
  }

  /** Decides the fault for a request, if any, and counts it. */
  draw(request: RequestInfo): FaultKind | undefined {
    const scripted = this.scripted.find((f) => f.left > 0 && f.match(request));
    if (scripted) {
      scripted.left -= 1;
      this.injected[scripted.kind] += 1;
      return scripted.kind;
    }
    const options = this.options;
    const random = this.random;
    if (!options || !random) return undefined;
    if ((options.spare ?? isSignIn)(request)) return undefined;
    if (random() >= options.rate) return undefined;
    const kinds = options.kinds ?? FAULT_KINDS;
    const kind = kinds[Math.floor(random() * kinds.length)] ?? 'error-500';
    this.injected[kind] += 1;
    return kind;
  }

  totalInjected(): number {
    return Object.values(this.injected).reduce((a, b) => a + b, 0);
  }
}
