/**
 * The frame of every wizard dialog: a native <dialog> opened with showModal() (the browser
 * gives focus trapping, Escape and the inert background without injecting styles; the CSP
 * forbids inline <style>, which ruled out Radix Dialog), the title, the step bar, the body
 * and the buttons. When the step changes and the button that moved it on is gone, keyboard
 * focus goes to the top of the new step rather than to <body>.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useModalDialog } from '../../components/use-modal-dialog';

export interface WizardFrameProps {
  title: string;
  steps: readonly string[];
  /** Index into `steps` of the step shown. */
  current: number;
  /** Escape pressed: the wizard decides whether it may close now. */
  onCancel: () => void;
  /** Changes whenever the body shows something new within one step (default: the step). */
  focusKey?: string;
  body: ReactNode;
  /** The buttons. */
  foot: ReactNode;
}

export function WizardFrame({ title, steps, current, onCancel, focusKey, body, foot }: WizardFrameProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useModalDialog(dialog);

  useEffect(() => {
    // The body is focusable only for that moment, so showModal()'s initial focus is unchanged.
    const d = dialog.current;
    const b = bodyRef.current;
    if (!d?.open || !b || d.contains(document.activeElement)) return;
    b.tabIndex = -1;
    b.addEventListener('blur', () => b.removeAttribute('tabindex'), { once: true });
    b.focus();
  }, [current, focusKey]);

  return (
    <dialog
      ref={dialog}
      className="wizard"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <div className="wizard__head">
        <h2 id={titleId}>{title}</h2>
        <ol className="wizard__steps" aria-label="Wizard steps">
          {steps.map((s, i) => (
            <li key={s} aria-current={i === current ? 'step' : undefined} className={i < current ? 'is-past' : undefined}>
              {i + 1}. {s}
            </li>
          ))}
        </ol>
      </div>
      <div className="wizard__body" ref={bodyRef}>
        {body}
      </div>
      <div className="wizard__foot">{foot}</div>
    </dialog>
  );
}
