/** A native <progress> (announced by screen readers) with the figure next to it. */
export function ProgressBar({
  percent,
  label,
  tone = 'normal',
  text,
}: {
  percent: number;
  /** What the bar measures, for assistive technology: "Download of CIM-168 1.0.1". */
  label: string;
  tone?: 'normal' | 'done' | 'failed';
  text?: string;
}) {
  const rounded = Math.floor(percent);
  return (
    <span className={`progress progress-${tone}`}>
      <progress max={100} value={percent} aria-label={label} />
      <span className="progress-text">{text ?? `${rounded} %`}</span>
    </span>
  );
}
