import type { ReactNode, Ref } from 'react';

/**
 * The scrolling box around a table: a named region that takes keyboard focus, so a keyboard
 * user can scroll it and a screen reader says which table it is.
 */
export function TableScroll({
  label,
  className,
  ref,
  children,
}: {
  /** The region's accessible name. */
  label: string;
  /** Extra classes (height limits, virtual tables). */
  className?: string;
  ref?: Ref<HTMLDivElement>;
  children: ReactNode;
}) {
  return (
    <div
      ref={ref}
      className={className ? `table-scroll ${className}` : 'table-scroll'}
      tabIndex={0}
      role="region"
      aria-label={label}
    >
      {children}
    </div>
  );
}
