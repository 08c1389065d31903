/** An on/off setting that takes effect at once: a checkbox in the switch role, drawn as a track. */
export function Switch({
  label,
  checked,
  onChange,
  describedBy,
  busy,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** The ids of the hint (and error) under it. */
  describedBy: string;
  /** While the change is being made. */
  busy?: boolean;
}) {
  return (
    <label className="switch">
      <input
        type="checkbox"
        role="switch"
        checked={checked}
        aria-busy={busy}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.checked)}
      />
      <span className="switch-track" aria-hidden="true" />
      {label}
    </label>
  );
}
