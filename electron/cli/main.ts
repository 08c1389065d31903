/** Entry point of the field-ota program (bin/field-ota.js loads this file from dist/). */
import { runCli } from './program';

/** After the command is done, a handle someone forgot to close must not keep the program alive. */
const EXIT_GRACE_MS = 2_000;

let settled = false;

// Node exits once nothing is left to wait for, even with the command's promise unsettled (a
// connection that ended without an answer and without an error): that must never read as success.
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  process.stderr.write(
    'field-ota: the command ended without an answer from the station (the connection closed without one). Whether it was carried out is not known: look before trying again.\n',
  );
  process.exitCode = 1;
});

void runCli(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`field-ota: ${String(error)}\n`);
    return 1;
  })
  .then((code) => {
    settled = true;
    process.exitCode = code;
    // Unref'd: a process with nothing left to do exits at once, without waiting for this.
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  });
