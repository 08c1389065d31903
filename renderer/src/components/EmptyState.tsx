import type { ReactNode } from 'react';

import { Icon, type IconName } from './Icon';

/** What an empty page says: why it is empty and the one next step, with its button. */
export function EmptyState({
  icon,
  title,
  children,
  action,
}: {
  icon: IconName;
  title: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  return (
    <section className="empty-state" aria-label={title}>
      <Icon name={icon} className="empty-icon" />
      <h2>{title}</h2>
      <p>{children}</p>
      {action}
    </section>
  );
}
