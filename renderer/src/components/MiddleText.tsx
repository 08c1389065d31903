/**
 * Text that, when it does not fit, is cut in the middle and never at its end: "CIM-240-0…14-91",
 * "CIM-168-agent…4.12.3". The end of a device name or a version is what tells two apart. The
 * whole text stays in the DOM (read by screen readers and search) and in the tooltip.
 */
export function MiddleText({
  text,
  className,
  title = text,
}: {
  text: string;
  className?: string;
  /** The tooltip; the text itself by default. */
  title?: string;
}) {
  const cut = tailStart(text);
  return (
    <span className={className ? `middle-text ${className}` : 'middle-text'} title={title}>
      <span className="middle-head">{text.slice(0, cut)}</span>
      <span className="middle-tail">{text.slice(cut)}</span>
    </span>
  );
}

/** Where the always-shown end begins: a version after the last space, else the last 8 characters. */
function tailStart(text: string): number {
  const space = text.lastIndexOf(' ');
  if (space > 0 && text.length - space <= 16) return space;
  return Math.max(0, text.length - Math.min(8, Math.ceil(text.length / 2)));
}
