/**
 * A labelled text field for the settings forms (SR-IOV, VF settings, New VM), with its hint and its problem (announced as
 * the user types) tied to the input through aria-describedby.
 */
import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

export function FormField({
  label,
  hint,
  problem,
  ...input
}: {
  label: string;
  hint?: ReactNode;
  problem?: string | null;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'aria-invalid' | 'aria-describedby' | 'id'>) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', `${id}-problem`].filter(Boolean).join(' ');
  return (
    <div className="form-field">
      <label htmlFor={id}>{label}</label>
      <input id={id} className="input" aria-invalid={problem ? true : undefined} aria-describedby={described} {...input} />
      {hint && (
        <p id={`${id}-hint`} className="form-field__hint muted small">
          {hint}
        </p>
      )}
      <p id={`${id}-problem`} className="form-field__problem text-fail small" aria-live="polite">
        {problem ?? ''}
      </p>
    </div>
  );
}

/** A labelled <select> with a hint. */
export function SelectField({
  label,
  hint,
  value,
  onChange,
  options,
}: {
  label: string;
  hint?: ReactNode;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
}) {
  const id = useId();
  return (
    <div className="form-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={hint ? `${id}-hint` : undefined}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && (
        <p id={`${id}-hint`} className="form-field__hint muted small">
          {hint}
        </p>
      )}
    </div>
  );
}
