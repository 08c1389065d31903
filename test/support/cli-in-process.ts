import { runCli } from '../../electron/cli/program';

/**
 * Runs `field-ota ...` in this process (against a station's HTTP API given in `args`) and
 * returns its exit code and what it printed. Faster than a child process, for tests that run
 * many commands; test/support/cli-process.ts runs the real binary where the process matters.
 */
export async function cliInProcess(
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => (
    (out += String(chunk)),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (
    (err += String(chunk)),
    true
  )) as typeof process.stderr.write;
  const before = process.exitCode;
  try {
    const code = await runCli(['node', 'field-ota', ...args]);
    return { code, out, err };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    process.exitCode = before;
  }
}
