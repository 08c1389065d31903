import { type ReactNode, type ToggleEvent, useId, useRef } from 'react';

import { Button } from './Button';
import type { IconName } from './Icon';

/**
 * A button that opens a small list of actions under it (a job's reports), so a row keeps one
 * line of buttons. Built on the native popover: it lies above everything (never clipped by a
 * scrolling table), and a click elsewhere or Escape closes it. Tab from the button goes into it.
 */
export function PopoverMenu({
  label,
  icon,
  name,
  disabled = false,
  children,
}: {
  /** The button's visible word. */
  label: string;
  icon: IconName;
  /** The button's accessible name, which starts with its visible word. */
  name: string;
  disabled?: boolean;
  /** The actions: buttons, each closing the menu by its own click (see closeMenuOf). */
  children: ReactNode;
}) {
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);

  // Placed under the button, its right edge on the button's (rows keep their actions at the
  // right); above it when the window has no room below.
  const place = (event: ToggleEvent<HTMLDivElement>) => {
    if (event.newState !== 'open' || !button.current) return;
    const menu = event.currentTarget;
    const anchor = button.current.getBoundingClientRect();
    const height = menu.offsetHeight;
    const below = anchor.bottom + 4;
    const top = below + height <= window.innerHeight ? below : Math.max(0, anchor.top - 4 - height);
    menu.style.top = `${top}px`;
    menu.style.right = `${Math.max(0, window.innerWidth - anchor.right)}px`;
  };

  return (
    <>
      <Button
        small
        icon={icon}
        ref={button}
        popoverTarget={id}
        aria-label={name}
        disabled={disabled}
      >
        {label}
        <span className="menu-caret" aria-hidden="true">
          ▾
        </span>
      </Button>
      <div
        id={id}
        popover="auto"
        className="popover-menu"
        role="group"
        aria-label={name}
        onToggle={place}
      >
        {children}
      </div>
    </>
  );
}

/** Closes the menu holding this element (after one of its actions was chosen). */
export function closeMenuOf(element: HTMLElement): void {
  element.closest<HTMLElement>('[popover]')?.hidePopover();
}
