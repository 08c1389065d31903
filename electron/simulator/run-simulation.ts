import { ConcurrencyLimiter } from './concurrency-limiter';
import { SimulatedDevice } from './simulated-device';
import { resolveSettings } from './simulation-settings';
import { buildSummary } from './summary';
import type { SimulationOptions, SimulationSummary } from './types';

/**
 * Runs simulated devices until each is done (UPDATED, FAILED, or CONNECTED when silent) or
 * the run times out / is aborted, then closes every connection and summarises.
 * Throws SimulationOptionsError on bad options; device problems end up in the summary.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationSummary> {
  const settings = resolveSettings(options);
  const limiter = new ConcurrencyLimiter(settings.connectConcurrency);
  const devices = settings.tokens.map(
    (token, index) => new SimulatedDevice(token, index, settings, limiter, options.onDeviceState),
  );
  const startedAt = performance.now();
  const stopAll = (reason: string): void => devices.forEach((device) => device.stop(reason));
  const timer = setTimeout(
    () => stopAll(`Not done within ${settings.timeoutMs} ms`),
    settings.timeoutMs,
  );
  const onAbort = (): void => stopAll('Simulation stopped');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const runs = devices.map((device) => device.run());
    if (options.signal?.aborted) onAbort();
    const results = await Promise.all(runs);
    return buildSummary(results, performance.now() - startedAt);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
