/**
 * The app's own confirmation of a destructive action, instead of the browser's confirm(): a
 * modal <dialog> (the browser traps focus in it and makes the page behind inert), Escape or
 * the cancel button backs out, focus starts on the cancel button — the safe choice — and goes
 * back to whatever opened it. The destructive button is named for what it does ("Force stop
 * web", never "OK"), and the body says what is lost and what is kept.
 */
import { useId, useRef, type ReactNode } from 'react';
import { WarnIcon } from './icons';
import { useModalDialog } from './use-modal-dialog';

export interface ConfirmDialogProps {
  title: string;
  /** What happens, what is lost and what is kept, in sentences. */
  children: ReactNode;
  /** The destructive button's name: the action itself ("Delete VM web"). */
  confirmLabel: string;
  cancelLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({ title, children, confirmLabel, cancelLabel = 'Cancel', onConfirm, onCancel }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();
  useModalDialog(dialog);
  return (
    <dialog
      ref={dialog}
      className="confirm-dialog"
      role="alertdialog"
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(e) => {
        // Escape: unmounting closes it (useModalDialog), and focus goes back to the opener.
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId} className="confirm-dialog__title">
        <WarnIcon />
        {title}
      </h2>
      <div id={bodyId} className="confirm-dialog__body">
        {children}
      </div>
      <div className="confirm-dialog__foot">
        {/* First in order, so showModal() focuses it: Enter right away keeps things as they are. */}
        <button type="button" className="button" onClick={onCancel}>
          {cancelLabel}
        </button>
        <button type="button" className="button button--danger-solid" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
