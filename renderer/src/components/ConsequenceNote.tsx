import type { ReactNode } from 'react';

import { Icon } from './Icon';

/**
 * What confirming a dialog will do, counted ("12 devices will be updated to …"), above its
 * buttons and announced as it changes; the first line says it, the lines after it qualify it.
 */
export function ConsequenceNote({ children }: { children: ReactNode }) {
  return (
    <div className="confirm-count" role="status">
      <Icon name="alert" className="warning" />
      <div>{children}</div>
    </div>
  );
}
