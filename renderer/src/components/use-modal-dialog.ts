/**
 * Opens a native <dialog> as modal when it mounts (the browser traps focus, handles Escape and
 * makes the page behind inert) and, because our dialogs unmount rather than close in place,
 * hands focus back to whatever opened it when it goes.
 */
import { useEffect, type RefObject } from 'react';

export function useModalDialog(dialog: RefObject<HTMLDialogElement | null>): void {
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => {
      d?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, [dialog]);
}
