import type { JobPolicy } from '../../../../shared/api/entities';
import type { FieldErrors } from '../../api/validate-input';

/** The New job form's policy fields as typed (strings), with the station's defaults. */
export interface PolicyForm {
  concurrency: string;
  timeoutSec: string;
  retries: string;
  retryDelaySec: string;
  /** Blank: never pause for failures. */
  haltAfterFailures: string;
  haltAfterPercent: string;
  /** A datetime-local value (local time); blank: start now. */
  startAt: string;
}

export const DEFAULT_POLICY_FORM: PolicyForm = {
  concurrency: '10',
  timeoutSec: '600',
  retries: '1',
  retryDelaySec: '2',
  haltAfterFailures: '',
  haltAfterPercent: '',
  startAt: '',
};

/** A start time this far in the past is taken for a typo rather than "now". */
const PAST_TOLERANCE_MS = 60_000;

interface Rule {
  min: number;
  max: number;
  whole: boolean;
  optional: boolean;
}

const RULES: Record<Exclude<keyof PolicyForm, 'startAt'>, Rule> = {
  concurrency: { min: 0, max: 100_000, whole: true, optional: false },
  timeoutSec: { min: 0, max: 7 * 24 * 3600, whole: true, optional: false },
  retries: { min: 0, max: 20, whole: true, optional: false },
  retryDelaySec: { min: 1, max: 24 * 3600, whole: true, optional: false },
  haltAfterFailures: { min: 1, max: 100_000, whole: true, optional: true },
  haltAfterPercent: { min: 0.1, max: 100, whole: false, optional: true },
};

function readNumber(text: string, rule: Rule): { value: number | null; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '')
    return rule.optional ? { value: null } : { value: null, error: 'is required' };
  const value = Number(trimmed);
  const range = `from ${rule.min.toLocaleString('en-US')} to ${rule.max.toLocaleString('en-US')}`;
  if (!Number.isFinite(value) || (rule.whole && !Number.isInteger(value)))
    return { value: null, error: `must be a ${rule.whole ? 'whole ' : ''}number ${range}` };
  if (value < rule.min || value > rule.max) return { value: null, error: `must be ${range}` };
  return { value };
}

/**
 * The policy and start time to send, or what is wrong with each field (keyed like the form).
 * The same limits as the station's schema, said in the technician's words.
 */
export function readPolicyForm(
  form: PolicyForm,
  now: number,
): { policy: JobPolicy; startAt: number | undefined } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const values: Partial<Record<keyof typeof RULES, number | null>> = {};
  for (const key of Object.keys(RULES) as (keyof typeof RULES)[]) {
    const read = readNumber(form[key], RULES[key]);
    if (read.error) errors[key] = read.error;
    values[key] = read.value;
  }
  let startAt: number | undefined;
  if (form.startAt.trim() !== '') {
    const at = new Date(form.startAt).getTime();
    if (!Number.isFinite(at)) errors.startAt = 'is not a date and time';
    else if (at < now - PAST_TOLERANCE_MS)
      errors.startAt = 'is in the past: leave it empty to start now';
    else startAt = at;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    policy: {
      concurrency: values.concurrency ?? 10,
      timeoutSec: values.timeoutSec ?? 600,
      retries: values.retries ?? 1,
      retryDelaySec: values.retryDelaySec ?? 2,
      haltAfterFailures: values.haltAfterFailures ?? null,
      haltAfterPercent: values.haltAfterPercent ?? null,
    },
    startAt,
  };
}
