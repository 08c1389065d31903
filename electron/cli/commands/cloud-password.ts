import readline from 'node:readline';

import { CliError } from '../cli-error';

/**
 * The cloud password, never as a plain option (shell history, `ps`): from stdin with
 * --password-stdin, from FIELD_OTA_CLOUD_PASSWORD, or typed at a hidden prompt.
 */
export async function readPassword(fromStdin: boolean | undefined): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
    const text = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (!text) throw new CliError('--password-stdin: nothing was read from stdin.');
    return text;
  }
  const fromEnv = process.env.FIELD_OTA_CLOUD_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY)
    throw new CliError(
      'No password: use --password-stdin or FIELD_OTA_CLOUD_PASSWORD, or run it in a terminal.',
    );
  return hiddenPrompt('Cloud password: ');
}

function hiddenPrompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({
      input: process.stdin,
      output: process.stderr,
      terminal: true,
    });
    // Echo nothing of what is typed; the question itself is written before muting.
    process.stderr.write(question);
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
