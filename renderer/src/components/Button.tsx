import type { ComponentProps } from 'react';

import { Icon, type IconName } from './Icon';

/** What a button weighs: the page's one main action, a destructive one, or a quiet aside. */
export type ButtonLook = 'primary' | 'danger' | 'quiet';

/**
 * A worded button with its optional icon before the words, in the app's one button style. It
 * is a plain button unless `submit` says otherwise, so it never sends a form by accident.
 */
export function Button({
  icon,
  look,
  small = false,
  submit = false,
  children,
  ...rest
}: Omit<ComponentProps<'button'>, 'type' | 'className'> & {
  icon?: IconName;
  look?: ButtonLook;
  /** For rows, cards and toolbars. */
  small?: boolean;
  submit?: boolean;
}) {
  const className = ['button', small && 'button-small', look && `button-${look}`]
    .filter(Boolean)
    .join(' ');
  return (
    <button type={submit ? 'submit' : 'button'} className={className} {...rest}>
      {icon && <Icon name={icon} />}
      {children}
    </button>
  );
}
