/**
 * The assign / give-back / undo wizard in a native <dialog> opened with showModal(): the
 * browser gives focus trapping, Escape and the inert background without injecting styles
 * (the CSP forbids inline <style>, which ruled out Radix Dialog).
 */
import { useEffect, useId, useRef } from 'react';
import { ErrorNotice, Loading } from '../../components/feedback';
import { wizardStore } from '../../stores/wizard-store';
import { ApplyStep, ResultStep } from './apply-step';
import { ChecksStep } from './checks-step';
import { PlanStepView } from './plan-step';
import { useWizard } from './use-wizard';
import { canApply, refusalCleared, type WizardPhase, type WizardRequest } from './wizard-state';

const STEPS = [
  { id: 'checks', label: 'Checks' },
  { id: 'plan', label: 'Plan' },
  { id: 'applying', label: 'Apply' },
  { id: 'result', label: 'Result' },
] as const;

function titleFor(r: WizardRequest): string {
  if (r.kind === 'assign') return `Assign ${r.address} to vfio-pci`;
  if (r.kind === 'release') return `Give ${r.address} back to the host`;
  return 'Undo a change';
}

function stepIndex(phase: WizardPhase): number {
  if (phase === 'planning' || phase === 'error') return 0;
  return STEPS.findIndex((s) => s.id === phase);
}

export function AssignWizard({ request }: { request: WizardRequest }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { state, dispatch, apply } = useWizard(request);
  const { phase, plan } = state;
  const busy = phase === 'applying';

  useEffect(() => {
    // The dialog unmounts rather than closing in place, so hand focus back to the opener ourselves.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => {
      d?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const close = () => {
    if (!busy) wizardStore.getState().close();
  };
  const current = stepIndex(phase);

  let body;
  if (phase === 'planning') body = <Loading>Planning…</Loading>;
  else if (phase === 'error' && state.error) body = <ErrorNotice error={state.error} title="The wizard stopped" />;
  else if (phase === 'checks') body = <ChecksStep state={state} dispatch={dispatch} />;
  else if (phase === 'plan' && plan) body = <PlanStepView plan={plan} />;
  else if (phase === 'applying') body = <ApplyStep state={state} />;
  else body = <ResultStep state={state} />;

  const refusedHard = !!plan?.refusal && !plan.refusal.forceable;
  const nothingToDo = !!plan?.noop || refusedHard;

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
        <h2 id={titleId}>{titleFor(request)}</h2>
        <ol className="wizard__steps" aria-label="Wizard steps">
          {STEPS.map((s, i) => (
            <li key={s.id} aria-current={i === current ? 'step' : undefined} className={i < current ? 'is-past' : undefined}>
              {i + 1}. {s.label}
            </li>
          ))}
        </ol>
      </div>
      <div className="wizard__body">{body}</div>
      <div className="wizard__foot">
        {phase === 'plan' && (
          <button type="button" className="button" onClick={() => dispatch({ type: 'goto', phase: 'checks' })}>
            Back
          </button>
        )}
        <span className="wizard__spacer" />
        {phase !== 'result' && (
          <button type="button" className="button button--quiet" onClick={close} disabled={busy}>
            {nothingToDo || phase === 'error' ? 'Close' : 'Cancel'}
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
