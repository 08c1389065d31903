import { ApiError } from '../../shared/api/errors';

/** A mistake the user can fix (bad option, unknown name): printed without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The lines a failed command prints on stderr: the message and, for rejected arguments, each field. */
export function describeError(error: unknown): string[] {
  if (error instanceof ApiError) {
    const lines = [error.message];
    // Validation messages already list their fields; other errors (a conflict) get them spelled out.
    for (const [field, problem] of Object.entries(error.fields ?? {})) {
      if (!error.message.includes(`${field}: ${problem}`)) lines.push(`  ${field}: ${problem}`);
    }
    return lines;
  }
  if (error instanceof Error) {
    // Our own errors and the client's "station not reachable" are meant for people; anything else is a bug worth its stack.
    if (error instanceof CliError || error.name === 'StationUnreachableError' || 'code' in error)
      return [error.message];
    return [error.stack ?? error.message];
  }
  return [String(error)];
}
