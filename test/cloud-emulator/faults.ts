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

/**
 * Faults that only make sense when asked for (not drawn at random unless listed in `kinds`, so
 * the seeded runs of the kinds above replay as before).
 */
export const EXTRA_FAULT_KINDS = [
  /**
   * The answer's headers and the first `afterBytes` bytes of its body go out (half the body by
   * default), then the connection is cut: a weak uplink dying in the middle of a download.
   */
  'cut-mid-body',
] as const;

export const ALL_FAULT_KINDS = [...FAULT_KINDS, ...EXTRA_FAULT_KINDS] as const;
export type FaultKind = (typeof ALL_FAULT_KINDS)[number];

/** What a request gets: the kind, and for 'cut-mid-body' where the body is cut. */
export interface DrawnFault {
  kind: FaultKind;
  afterBytes?: number;
}

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
  /** 'cut-mid-body': body bytes sent before the cut (default half the body). */
  afterBytes?: number;
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
    ALL_FAULT_KINDS.map((k) => [k, 0]),
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
  draw(request: RequestInfo): DrawnFault | undefined {
    const scripted = this.scripted.find((f) => f.left > 0 && f.match(request));
    if (scripted) {
      scripted.left -= 1;
      this.injected[scripted.kind] += 1;
      return scripted.afterBytes === undefined
        ? { kind: scripted.kind }
        : { kind: scripted.kind, afterBytes: scripted.afterBytes };
    }
    const options = this.options;
    const random = this.random;
    if (!options || !random) return undefined;
    if ((options.spare ?? isSignIn)(request)) return undefined;
    if (random() >= options.rate) return undefined;
    const kinds = options.kinds ?? FAULT_KINDS;
    const kind = kinds[Math.floor(random() * kinds.length)] ?? 'error-500';
    this.injected[kind] += 1;
    return { kind };
  }

  totalInjected(): number {
    return Object.values(this.injected).reduce((a, b) => a + b, 0);
  }
}
