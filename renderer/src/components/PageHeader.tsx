import type { ReactNode } from 'react';

import { useToastOutlet } from './Toasts';

/**
 * The page's title, a line saying what it is for, and its one primary action, top right. It
 * stays at the top while the page scrolls, and offers its title's room to the toasts: they lie
 * over the title and description for a few seconds, never over the action or the page below.
 */
export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  const toastSpot = useToastOutlet();
  return (
    <div className="page-header">
      <div className="page-title">
        <h1>{title}</h1>
        {description && <p className="page-description">{description}</p>}
        <div ref={toastSpot} className="toast-spot page-toast-spot" />
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}
