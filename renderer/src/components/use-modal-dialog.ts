/**
 * Opens a native <dialog> as modal when it mounts (the browser handles Escape and makes the
 * page behind inert) and, because our dialogs unmount rather than close in place, hands focus
 * back to whatever opened it when it goes. Tab and Shift+Tab wrap around inside the dialog:
 * the browser alone would let focus leave it for its own toolbar and the document's end.
 */
import { useEffect, type RefObject } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/** The dialog's elements Tab can reach, in order. */
function tabbable(d: HTMLDialogElement): HTMLElement[] {
  return [...d.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.tabIndex >= 0 && el.checkVisibility());
}

function wrapTab(this: HTMLDialogElement, e: KeyboardEvent): void {
  if (e.key !== 'Tab' || e.altKey || e.ctrlKey || e.metaKey) return;
  const items = tabbable(this);
  const first = items[0];
  const last = items.at(-1);
  if (!first || !last) return;
  const active = document.activeElement;
  if (e.shiftKey && (active === first || !this.contains(active))) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (active === last || !this.contains(active))) {
    e.preventDefault();
    first.focus();
  }
}

export function useModalDialog(dialog: RefObject<HTMLDialogElement | null>): void {
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    d?.addEventListener('keydown', wrapTab);
    return () => {
      d?.removeEventListener('keydown', wrapTab);
      d?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, [dialog]);
}
