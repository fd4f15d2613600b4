/**
 * A wizard's settings form: the dialog's primary button submits it (form={id}), Enter in a
 * field does too, and the browser's own validation bubbles stay off — each field shows its
 * problem in words as it is typed.
 */
import type { ReactNode } from 'react';

export function WizardForm({ id, onSubmit, children }: { id: string; onSubmit: () => void; children: ReactNode }) {
  return (
    <form
      id={id}
      className="wizard__section wizard__form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}
