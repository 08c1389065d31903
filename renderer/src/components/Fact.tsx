import type { ReactNode } from 'react';

/**
 * One line of a facts list (`<dl className="facts">`): what it is, then its value. `title` and
 * `className` go on the value (its exact figure on hover, monospace for addresses).
 */
export function Fact({
  label,
  title,
  className,
  children,
}: {
  label: ReactNode;
  title?: string | undefined;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div>
      <dt>{label}</dt>
      <dd title={title} className={className}>
        {children}
      </dd>
    </div>
  );
}
