import { type ChildProcess, fork } from 'node:child_process';

/** A benchmark participant in its own process, so its CPU time and RSS are its own. */
export interface BenchChild<R> {
  process: ChildProcess;
  /** The next message the child sends. */
  next(): Promise<R>;
  send(message: unknown): void;
  exited: Promise<void>;
}

export function forkBenchChild<R>(
  script: string,
  args: string[],
  killAfterMs: number,
  /** Node flags for this child only, e.g. --expose-gc to measure memory after a full GC. */
  extraExecArgv: string[] = [],
): BenchChild<R> {
  // Same loader flags as this process (tsx), so the child runs the TypeScript sources too.
  const child = fork(script, args, {
    execArgv: [...process.execArgv, ...extraExecArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue: R[] = [];
  const waiting: ((message: R) => void)[] = [];
  child.on('message', (message) => {
    const resolve = waiting.shift();
    if (resolve) resolve(message as R);
    else queue.push(message as R);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    }),
  );
  return {
    process: child,
    send: (message) => child.send(message as never),
    exited,
    next: () =>
      new Promise<R>((resolve, reject) => {
        const queued = queue.shift();
        if (queued !== undefined) return resolve(queued);
        waiting.push(resolve);
        void exited.then(() => reject(new Error(`${script} exited before sending its report`)));
      }),
  };
}

/** CPU time and peak RSS of the current process, as children report them. */
export function ownUsage(cpuBefore: NodeJS.CpuUsage): { cpuMs: number; maxRssMb: number } {
  const cpu = process.cpuUsage(cpuBefore);
  return {
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
