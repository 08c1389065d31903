import type { Package } from '../../../shared/api/entities';
import type { FieldFrame } from './Field';
import { SelectField } from './SelectField';

/** A package field (Package, Firmware, Software): the ready packages, each said in words. */
export function PackageSelect({
  packages,
  describe,
  placeholder,
  ...field
}: FieldFrame & {
  packages: readonly Package[];
  /** The chosen package's id; '' for none yet (the placeholder shows). */
  value: string;
  onChange: (id: string) => void;
  /** An option's words: "CIM-168 1.0.1 · CIM-168". */
  describe: (pkg: Package) => string;
  /** Shown, not choosable, while nothing is chosen: nothing is preset without it. */
  placeholder?: string;
}) {
  return (
    <SelectField {...field}>
      {placeholder && (
        <option value="" disabled>
          {placeholder}
        </option>
      )}
      {packages.map((p) => (
        <option key={p.id} value={p.id}>
          {describe(p)}
        </option>
      ))}
    </SelectField>
  );
}

/**
 * A package as an option of a select, "Title Version": a corrupt one stays listed but can't be
 * chosen, and says why.
 */
export function PackageOption({ pkg }: { pkg: Package }) {
  const ready = pkg.status === 'READY';
  return (
    <option value={pkg.id} disabled={!ready}>
      {pkg.title} {pkg.version}
      {ready ? '' : ' (corrupt: add it again)'}
    </option>
  );
}
