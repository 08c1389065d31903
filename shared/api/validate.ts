import { z } from 'zod';

import { ApiError } from './errors';
import { type OperationArgs, type OperationName, operations } from './operations';

/** Validates an operation's arguments, turning zod's issues into a message a technician can read. */
export function parseArgs<N extends OperationName>(name: N, input: unknown): OperationArgs<N> {
  const schema: z.ZodType = operations[name].input;
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data as OperationArgs<N>;
  throw validationError(name, result.error);
}

export function validationError(what: string, error: z.ZodError): ApiError {
  const fields = fieldErrors(error);
  const summary = Object.entries(fields)
    .map(([field, message]) => `${field}: ${message}`)
    .join('; ');
  return new ApiError('BAD_REQUEST', `Invalid arguments for ${what}: ${summary}`, fields);
}

/** Field path -> the first thing wrong with it, in words a person reads under the field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || '(arguments)';
    fields[field] ??= readable(issue);
  }
  return fields;
}

/** zod says "expected string, received undefined" for a field left out; a person says this. */
function readable(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined'))
    return 'is required';
  return issue.message;
}
