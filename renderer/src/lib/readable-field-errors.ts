import type { FieldErrors } from '../api/validate-input';

/**
 * Field errors as sentences for a form with a device profile choice: a bare rule ("must not be
 * empty") gets the field's label in front; the profile gets the console's own words.
 */
export function readableFieldErrors(
  fields: FieldErrors,
  labels: Readonly<Record<string, string>>,
): FieldErrors {
  const out: FieldErrors = {};
  for (const [field, message] of Object.entries(fields)) {
    if (field === 'profileId') out.profileId = 'Choose a device profile, or create a new one';
    else if (/^[a-z]/.test(message)) out[field] = `${labels[field] ?? field} ${message}`;
    else out[field] = message;
  }
  return out;
}
