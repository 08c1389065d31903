import type { ReactNode } from 'react';

import { Icon, type IconName } from './Icon';

/**
 * A short status word in a pill, its icon first so the meaning never rests on color alone.
 * `tone` names its colors (badges.css); `title` says more on hover.
 */
export function Badge({
  tone,
  icon,
  title,
  children,
}: {
  tone: string;
  icon?: IconName;
  title?: string | undefined;
  children: ReactNode;
}) {
  return (
    <span className={`badge ${tone}`} title={title}>
      {icon && <Icon name={icon} />}
      {children}
    </span>
  );
}
