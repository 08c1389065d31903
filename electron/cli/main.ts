/** Entry point of the field-ota program (bin/field-ota.js loads this file from dist/). */
import { runCli } from './program';

/** After the command is done, a handle someone forgot to close must not keep the program alive. */
const EXIT_GRACE_MS = 2_000;

void runCli(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`field-ota: ${String(error)}\n`);
    return 1;
  })
  .then((code) => {
    process.exitCode = code;
    // Unref'd: a process with nothing left to do exits at once, without waiting for this.
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  });
