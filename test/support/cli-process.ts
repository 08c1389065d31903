import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Spawning the real `field-ota` program (from dist/) for CLI and restart tests. */
export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'field-ota.js');
const BUILT_MAIN = path.join(ROOT, 'dist', 'electron', 'cli', 'main.js');
const COMMAND_TIMEOUT_MS = 60_000;

/**
 * Vitest's bound for a test or hook that runs the CLI or a station as processes: each command
 * starts Node anew, which takes seconds on a loaded machine (vitest's 30 s default went by in
 * five commands); each command keeps its own bound of a minute.
 */
export const PROCESS_TEST_TIMEOUT_MS = 180_000;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI runs from dist/: rebuild when a source is newer (npm test builds first; a bare vitest run may not have). */
export async function ensureBuilt(): Promise<void> {
  const built = await stat(BUILT_MAIN).catch(() => null);
  const newest = Math.max(
    ...(await Promise.all(['electron', 'shared'].map((dir) => newestTs(path.join(ROOT, dir))))),
  );
  if (built && built.mtimeMs >= newest) return;
  try {
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.node.json'],
      { cwd: ROOT, stdio: 'pipe' },
    );
  } catch (error) {
    // Type errors elsewhere still emit JavaScript; only a missing CLI is fatal here.
    if (!(await stat(BUILT_MAIN).catch(() => null))) throw error;
  }
}

async function newestTs(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const times = await Promise.all(
    entries
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map(async (e) => (await stat(path.join(e.parentPath, e.name))).mtimeMs),
  );
  return Math.max(0, ...times);
}

export function run(
  args: readonly string[],
  env: Record<string, string> = {},
  script = BIN,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a --json command that must succeed and returns what it printed. */
export async function runJson<T>(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<T> {
  const result = await run([...args, '--json'], env);
  if (result.code !== 0)
    throw new Error(`field-ota ${args.join(' ')} exited ${String(result.code)}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export interface RunningStation {
  child: ChildProcess;
  httpUrl: string;
  mqttUrl: string;
  /** The HTTP device API, e.g. http://127.0.0.1:41234. */
  httpDeviceUrl: string;
  /** The CoAP device API's address, printed before the ready line. */
  coapUrl: string;
  readyLine: string;
  /** The data folder it runs on, where a CLI on this computer finds its per-start secret. */
  dataDir: string;
  /** The address it printed for a browser, carrying that secret (…/?token=…). */
  uiUrl: string;
  /** What a CLI on this computer needs to reach it: FIELD_OTA_STATION and FIELD_OTA_DATA_DIR. */
  env: Record<string, string>;
  /** Everything printed on stdout up to the ready line. */
  stdout: string;
  /** Everything printed on stderr so far (for failure messages). */
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

const READY = /^ServicePleX Field OTA station ready: (mqtt:\/\/\S+) (http:\/\/\S+) data=(.+)$/m;
const UI = /^Open the UI: (http:\/\/\S+)$/m;
const HTTP_DEVICE = /^Device HTTP API: (https?:\/\/\S+)$/m;

/**
 * A test's station takes any free port for its HTTP device API unless told one: 8080, the
 * default, is one port for every test running at once (and for anything else on the machine).
 */
function withFreeHttpDevicePort(args: readonly string[]): readonly string[] {
  if (args[0] !== 'station' || args.includes('--http-device-port')) return args;
  return [...args, '--http-device-port', '0'];
}
const COAP = /^CoAP device API: (coap:\/\/\S+)$/m;

/** Starts `field-ota station` (or the given script) and waits for its ready line. */
export function startStationProcess(
  args: readonly string[],
  script = BIN,
  env: Record<string, string> = {},
  /** In a process group of its own, like a command started from a terminal. */
  ownProcessGroup = false,
  /** A command that runs Node for us, e.g. ['prlimit', '--fsize=N', '--'] to limit the station. */
  launcher: readonly string[] = [],
): Promise<RunningStation> {
  const [command, ...commandArgs] = [
    ...launcher,
    process.execPath,
    script,
    ...withFreeHttpDevicePort(args),
  ];
  const child = spawn(command ?? process.execPath, commandArgs, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownProcessGroup,
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // 'close', not 'exit': what the process wrote last is read before the test looks at it.
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`station not ready in time; stdout: ${stdout} stderr: ${stderr}`));
    }, COMMAND_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = READY.exec(stdout);
      if (match?.[1] && match[2] && match[3]) {
        clearTimeout(timer);
        resolve({
          child,
          mqttUrl: match[1],
          coapUrl: COAP.exec(stdout)?.[1] ?? '',
          httpUrl: match[2],
          httpDeviceUrl: HTTP_DEVICE.exec(stdout)?.[1] ?? '',
          dataDir: match[3],
          uiUrl: UI.exec(stdout)?.[1] ?? '',
          env: { FIELD_OTA_STATION: match[2], FIELD_OTA_DATA_DIR: match[3] },
          readyLine: match[0],
          stdout,
          stderr: () => stderr,
          exited,
        });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`station exited (${String(code)}) before it was ready: ${stderr}`));
    });
  });
}

/**
 * Stops a station and resolves once it is gone: SIGTERM first (the npm start launcher passes it
 * on to the station it started; SIGKILL would orphan that one), SIGKILL after `graceMs`.
 */
export async function stopStation(station: RunningStation, graceMs = 10_000): Promise<void> {
  const { child } = station;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await station.exited;
  clearTimeout(timer);
}
