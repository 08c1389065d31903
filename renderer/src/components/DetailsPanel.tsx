import type { ReactNode } from 'react';

import { Icon } from './Icon';

/**
 * The panel that lies over a table's right side with one row's details (a device, an update):
 * its name, a line about it, a Close button, then the details.
 */
export function DetailsPanel({
  label,
  title,
  subtitle,
  onClose,
  className,
  children,
}: {
  /** The panel's accessible name ("Device CIM-168-02-22-90"). */
  label: string;
  title: string;
  subtitle: ReactNode;
  onClose: () => void;
  className?: string;
  children: ReactNode;
}) {
  return (
    <aside
      className={className ? `details-panel ${className}` : 'details-panel'}
      aria-label={label}
    >
      <header className="details-header">
        <div>
          <h2 className="mono">{title}</h2>
          <p className="muted">{subtitle}</p>
        </div>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close details">
          <Icon name="close" />
        </button>
      </header>
      {children}
    </aside>
  );
}
