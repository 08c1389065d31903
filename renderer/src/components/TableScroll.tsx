import { type ReactNode, type Ref, type RefObject, useEffect, useRef, useState } from 'react';

/**
 * The scrolling box around a table: a named region that takes keyboard focus, so a keyboard
 * user can scroll it and a screen reader says which table it is. When the table is wider than
 * the window, a line under it says so: columns off to the right are never hidden without a hint.
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
  const own = useRef<HTMLDivElement>(null);
  const wide = useWiderThanBox(own);
  const setRefs = (element: HTMLDivElement | null) => {
    own.current = element;
    if (typeof ref === 'function') ref(element);
    else if (ref) (ref as RefObject<HTMLDivElement | null>).current = element;
  };
  return (
    <>
      <div
        ref={setRefs}
        className={className ? `table-scroll ${className}` : 'table-scroll'}
        tabIndex={0}
        role="region"
        aria-label={label}
      >
        {children}
      </div>
      {wide && (
        <p className="scroll-hint">
          More columns to the right: scroll the table sideways (Shift + mouse wheel, or the arrow
          keys once it has focus).
        </p>
      )}
    </>
  );
}

function useWiderThanBox(box: RefObject<HTMLDivElement | null>): boolean {
  const [wide, setWide] = useState(false);
  useEffect(() => {
    const element = box.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const check = () => setWide(element.scrollWidth > element.clientWidth + 1);
    const observer = new ResizeObserver(check);
    observer.observe(element);
    const table = element.firstElementChild;
    if (table) observer.observe(table);
    check();
    return () => observer.disconnect();
  }, [box]);
  return wide;
}
