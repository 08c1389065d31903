import { type ReactNode, useId } from 'react';

/**
 * One titled card on a page, named by its heading for assistive technology; `aside` stands on
 * the title's line (a status badge), `full` spans the page's whole width.
 */
export function Card({
  title,
  aside,
  full = false,
  children,
}: {
  title: ReactNode;
  aside?: ReactNode;
  full?: boolean;
  children: ReactNode;
}) {
  const titleId = useId();
  const heading = <h2 id={titleId}>{title}</h2>;
  return (
    <section className={full ? 'card card-full' : 'card'} aria-labelledby={titleId}>
      {aside ? (
        <div className="card-head">
          {heading}
          {aside}
        </div>
      ) : (
        heading
      )}
      {children}
    </section>
  );
}
