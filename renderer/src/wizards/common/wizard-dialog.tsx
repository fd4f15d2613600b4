/**
 * The frame every change wizard shares: a native <dialog> opened with showModal() (the
 * browser gives focus trapping, Escape and the inert background without injecting styles; the
 * CSP forbids inline <style>, which ruled out Radix Dialog), the step bar, the body for the
 * current phase and the buttons. Wizards differ only in their settings form, what they add to
 * the checks and the result, and the words.
 */
import { useEffect, useId, useRef, type Dispatch, type ReactNode } from 'react';
import { ErrorNotice, Loading } from '../../components/feedback';
import { useModalDialog } from '../../components/use-modal-dialog';
import { wizardStore } from '../../stores/wizard-store';
import { ApplyStep, ResultStep } from './apply-progress';
import { ChecksStep } from './checks-step';
import { PlanStepView } from './plan-view';
import { canApply, hasSettings, refusalCleared, type WizardAction, type WizardPhase, type WizardState } from './wizard-state';

const FLOW = [
  { id: 'checks', label: 'Checks' },
  { id: 'plan', label: 'Plan' },
  { id: 'applying', label: 'Apply' },
  { id: 'result', label: 'Result' },
] as const;

function stepsFor(withSettings: boolean) {
  return withSettings ? [{ id: 'input', label: 'Settings' } as const, ...FLOW] : [...FLOW];
}

function stepIndex(phase: WizardPhase, withSettings: boolean): number {
  const steps = stepsFor(withSettings);
  if (phase === 'planning' || phase === 'error') return steps.findIndex((s) => s.id === 'checks');
  return steps.findIndex((s) => s.id === phase);
}

export interface WizardDialogProps {
  title: string;
  state: WizardState;
  dispatch: Dispatch<WizardAction>;
  apply: () => Promise<void>;
  /**
   * The settings form, for wizards that start with one: rendered in the `input` phase as a
   * <form id={formId}> whose submit dispatches `submit`; the dialog's primary button submits it.
   */
  settings?: (formId: string) => ReactNode;
  /** Whether the settings form may be submitted now (false while a field is invalid). */
  settingsValid?: boolean;
  /** Under the checks: options, the group afterwards. */
  checksExtra?: ReactNode;
  /** Under a successful result. */
  resultExtra?: ReactNode;
  /** The acknowledgement for a forceable refusal. */
  forceLabel: string;
}

export function WizardDialog({ title, state, dispatch, apply, settings, settingsValid = true, checksExtra, resultExtra, forceLabel }: WizardDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const formId = useId();
  const { phase, plan } = state;
  const busy = phase === 'applying';
  const withSettings = hasSettings(state.request) && !!settings;
  const steps = stepsFor(withSettings);

  useModalDialog(dialog);

  useEffect(() => {
    // The button that moved the wizard on is often gone (Check, Review the plan, Apply): keep
    // keyboard focus inside the dialog, at the top of the new step, rather than on <body>. The
    // body is focusable only for that moment, so showModal()'s initial focus is unchanged.
    const d = dialog.current;
    const b = bodyRef.current;
    if (!d?.open || !b || d.contains(document.activeElement)) return;
    b.tabIndex = -1;
    b.addEventListener('blur', () => b.removeAttribute('tabindex'), { once: true });
    b.focus();
  }, [phase]);

  const close = () => {
    if (!busy) wizardStore.getState().close();
  };
  const current = stepIndex(phase, withSettings);

  let body;
  if (phase === 'input' && settings) body = settings(formId);
  else if (phase === 'planning') body = <Loading>Planning…</Loading>;
  else if (phase === 'error' && state.error) body = <ErrorNotice error={state.error} title="The wizard stopped" />;
  else if (phase === 'checks')
    body = (
      <ChecksStep state={state} dispatch={dispatch} forceLabel={forceLabel}>
        {checksExtra}
      </ChecksStep>
    );
  else if (phase === 'plan' && plan) body = <PlanStepView plan={plan} />;
  else if (phase === 'applying') body = <ApplyStep state={state} />;
  else body = <ResultStep state={state} extra={resultExtra} />;

  const refusedHard = !!plan?.refusal && !plan.refusal.forceable;
  const nothingToDo = phase !== 'input' && (!!plan?.noop || refusedHard);
  const backTo: 'input' | 'checks' | null =
    phase === 'plan' ? 'checks' : withSettings && (phase === 'checks' || phase === 'error') ? 'input' : null;

  return (
    <dialog
      ref={dialog}
      className="wizard"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
    >
      <div className="wizard__head">
        <h2 id={titleId}>{title}</h2>
        <ol className="wizard__steps" aria-label="Wizard steps">
          {steps.map((s, i) => (
            <li key={s.id} aria-current={i === current ? 'step' : undefined} className={i < current ? 'is-past' : undefined}>
              {i + 1}. {s.label}
            </li>
          ))}
        </ol>
      </div>
      <div className="wizard__body" ref={bodyRef}>
        {body}
      </div>
      <div className="wizard__foot">
        {backTo && (
          <button type="button" className="button" onClick={() => dispatch({ type: 'goto', phase: backTo })}>
            Back
          </button>
        )}
        <span className="wizard__spacer" />
        {phase !== 'result' && (
          <button type="button" className="button button--quiet" onClick={close} disabled={busy}>
            {nothingToDo || phase === 'error' ? 'Close' : 'Cancel'}
          </button>
        )}
        {phase === 'input' && (
          <button type="submit" form={formId} className="button button--primary" disabled={!settingsValid}>
            Check
          </button>
        )}
        {phase === 'checks' && !nothingToDo && (
          <button
            type="button"
            className="button button--primary"
            onClick={() => dispatch({ type: 'goto', phase: 'plan' })}
            disabled={!refusalCleared(state)}
          >
            Review the plan
          </button>
        )}
        {phase === 'plan' && (
          <button type="button" className="button button--primary" onClick={() => void apply()} disabled={!canApply(state)}>
            Apply
          </button>
        )}
        {phase === 'result' && (
          <button type="button" className="button button--primary" onClick={close} autoFocus>
            Close
          </button>
        )}
      </div>
    </dialog>
  );
}
