import { Command, InvalidArgumentError } from 'commander';

import {
  formatSummary,
  runSimulation,
  type SimulatedDeviceState,
  type SimulationOptions,
  SimulationOptionsError,
  type SimulationSummary,
} from '../../simulator';
import {
  LINK_KINDS,
  SIMULATED_TRANSPORTS,
  type SimulatedTransport,
} from '../../simulator/link-factory';
import { CliError } from '../cli-error';
import { integerIn } from '../option-parsers';
import { printJson, printLine } from '../output';

interface SimulateOptions {
  transport: SimulatedTransport;
  /** Undefined: the transport's default address on this computer. */
  url?: string;
  tokens?: string[];
  count?: number;
  tokenPrefix?: string;
  chunkSize?: number;
  protocol: 4 | 5;
  failVerify?: boolean;
  dropAtChunk?: number;
  silent?: boolean;
  timeout?: number;
  json?: boolean;
}

/** Live state lines are for watching a handful of devices; with more they would flood the terminal. */
const MAX_DEVICES_SHOWN_LIVE = 20;

export function simulateCommand(): Command {
  return new Command('simulate')
    .description(
      'simulate ThingsBoard-style devices updating over MQTT, HTTP or CoAP; exits 0 when every device ends as expected',
    )
    .option(
      '--transport <name>',
      `how the devices reach the station: ${SIMULATED_TRANSPORTS.join(', ')}`,
      transportName,
      'mqtt' as const,
    )
    .option(
      '--url <url>',
      `the station's device API (default ${SIMULATED_TRANSPORTS.map((t) => `${t}: ${LINK_KINDS[t].defaultUrl}`).join(', ')})`,
    )
    .option('--tokens <t1,t2,...>', 'access tokens of the devices, comma separated', tokenList)
    .option(
      '--count <n>',
      'number of devices, with tokens PREFIX0..PREFIX(n-1)',
      integerIn(1, 100_000),
    )
    .option('--token-prefix <prefix>', 'token prefix with --count', 'sim-device-')
    .option(
      '--chunk-size <bytes>',
      'chunk size the devices ask for (default 65536; CoAP: 1024, at most one datagram)',
      integerIn(1, 256 * 1024 * 1024),
    )
    .option(
      '--protocol <version>',
      'MQTT protocol: 4 (3.1.1) or 5 (MQTT only)',
      protocolVersion,
      4 as const,
    )
    .option(
      '--fail-verify',
      'pretend the checksum failed: devices report FAILED (expected outcome)',
    )
    .option(
      '--drop-at-chunk <n>',
      'drop the connection once before chunk N, then reconnect and resume',
      integerIn(0, Number.MAX_SAFE_INTEGER),
    )
    .option(
      '--silent',
      'connect and report versions only, never download (expected outcome: connected)',
    )
    .option(
      '--timeout <seconds>',
      'give up on devices not done by then (default 120)',
      integerIn(1, 24 * 3600),
    )
    .option('--json', 'print the summary as JSON')
    .action(runSimulate);
}

async function runSimulate(options: SimulateOptions): Promise<void> {
  if ((options.tokens === undefined) === (options.count === undefined)) {
    throw new CliError('Give either --tokens T1,T2,... or --count N (with --token-prefix).');
  }
  const devices = options.tokens?.length ?? options.count ?? 0;
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const simulation: SimulationOptions = {
    transport: options.transport,
    url: options.url ?? LINK_KINDS[options.transport].defaultUrl,
    ...(options.tokens
      ? { tokens: options.tokens }
      : { count: options.count, tokenPrefix: options.tokenPrefix }),
    ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
    protocolVersion: options.protocol,
    failVerify: options.failVerify ?? false,
    ...(options.dropAtChunk !== undefined ? { dropAtChunk: options.dropAtChunk } : {}),
    silent: options.silent ?? false,
    ...(options.timeout !== undefined ? { timeoutMs: options.timeout * 1000 } : {}),
    signal: abort.signal,
    ...(!options.json && devices <= MAX_DEVICES_SHOWN_LIVE
      ? {
          onDeviceState: (e) =>
            printLine(
              `${e.token}: ${e.state}${e.packageType ? ` (${e.packageType})` : ''}${e.error ? ` - ${e.error}` : ''}`,
            ),
        }
      : {}),
  };

  let summary: SimulationSummary;
  try {
    summary = await runSimulation(simulation);
  } catch (error) {
    if (error instanceof SimulationOptionsError) throw new CliError(error.message);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  if (options.json) printJson(summary);
  else printLine(formatSummary(summary));

  const expected = expectedState(options);
  const unexpected = summary.devices.filter((d) => d.state !== expected);
  if (unexpected.length > 0) {
    process.stderr.write(
      `field-ota: ${unexpected.length} of ${summary.devices.length} devices did not end ${expected}.\n`,
    );
    process.exitCode = 1;
  }
}

export function expectedState(
  options: Pick<SimulateOptions, 'silent' | 'failVerify'>,
): SimulatedDeviceState {
  if (options.silent) return 'CONNECTED';
  return options.failVerify ? 'FAILED' : 'UPDATED';
}

function tokenList(value: string): string[] {
  const tokens = value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (tokens.length === 0) throw new InvalidArgumentError('expected at least one token.');
  return tokens;
}

function transportName(value: string): SimulatedTransport {
  const name = value.trim().toLowerCase();
  const known = SIMULATED_TRANSPORTS.find((t) => t === name);
  if (!known) throw new InvalidArgumentError(`expected ${SIMULATED_TRANSPORTS.join(' or ')}.`);
  return known;
}

function protocolVersion(value: string): 4 | 5 {
  if (value === '4' || value === '3.1.1') return 4;
  if (value === '5') return 5;
  throw new InvalidArgumentError('expected 4 (MQTT 3.1.1) or 5.');
}
