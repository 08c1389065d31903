import type { z } from 'zod';

import { ApiError } from '../../../shared/api/errors';
import {
  type OperationInput,
  type OperationName,
  operations,
} from '../../../shared/api/operations';
import { fieldErrors } from '../../../shared/api/validate';

/** Field name -> what is wrong with it, as shown under the field. */
export type FieldErrors = Record<string, string>;

/** Checks input with the operation's own schema before it is sent; null when valid. */
export function inputProblems<N extends OperationName>(
  name: N,
  input: OperationInput<N>,
): FieldErrors | null {
  return schemaProblems(operations[name].input, input);
}

export function schemaProblems(schema: z.ZodType, input: unknown): FieldErrors | null {
  const result = schema.safeParse(input);
  return result.success ? null : fieldErrors(result.error);
}

/** The field errors the station attached to a refusal, if any. */
export function fieldErrorsOf(error: unknown): FieldErrors {
  return error instanceof ApiError && error.fields ? { ...error.fields } : {};
}

/** A message a technician can act on, whatever was thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
