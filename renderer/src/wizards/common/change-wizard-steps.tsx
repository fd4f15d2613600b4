/**
 * What every change wizard shares inside its frame (wizard-frame.tsx): the steps of a plan —
 * Settings, Checks, Plan, Apply, Result —, the body for the current phase and its buttons.
 * Wizards differ only in their settings form, what they add to the checks and the result, and
 * the words.
 */
import { useId, type Dispatch, type ReactNode } from 'react';
import { ErrorNotice, Loading } from '../../components/feedback';
import { useScanStore } from '../../stores/scan-store';
import { wizardStore } from '../../stores/wizard-store';
import { WizardFrame } from './wizard-frame';
import { ApplyStep, ResultStep } from './apply-progress';
import { ChecksStep } from './checks-step';
import { PlanStepView } from './plan-view';
import { canApply, hasSettings, refusalCleared, reviewOnly, type WizardAction, type WizardPhase, type WizardState } from './wizard-state';
import { RefusalNotice } from './checks-step';

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

export interface ChangeWizardStepsProps {
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

export function ChangeWizardSteps({ title, state, dispatch, apply, settings, settingsValid = true, checksExtra, resultExtra, forceLabel }: ChangeWizardStepsProps) {
  const formId = useId();
  const { phase, plan } = state;
  const busy = phase === 'applying';
  const withSettings = hasSettings(state.request) && !!settings;
  const steps = stepsFor(withSettings);

  const onSnapshot = useScanStore((s) => s.scan?.source.kind === 'snapshot');
  const close = () => {
    if (!busy) wizardStore.getState().close();
  };
  const current = stepIndex(phase, withSettings);

  let body;
  if (phase === 'input' && settings)
    body = (
      <>
        {onSnapshot && (
          <p className="note" role="note">
            This is a snapshot: Passthru plans the change so you can read it and save it as a script for the host it came from; it applies nothing here.
          </p>
        )}
        {settings(formId)}
      </>
    );
  else if (phase === 'planning') body = <Loading>Planning…</Loading>;
  else if (phase === 'error' && state.error) body = <ErrorNotice error={state.error} title="The wizard stopped" />;
  else if (phase === 'checks')
    body = (
      <ChecksStep state={state} dispatch={dispatch} forceLabel={forceLabel}>
        {checksExtra}
      </ChecksStep>
    );
  else if (phase === 'plan' && plan)
    body = (
      <>
        {plan.refusal && reviewOnly(state) && <RefusalNotice refusal={plan.refusal} />}
        <PlanStepView plan={plan} />
      </>
    );
  else if (phase === 'applying') body = <ApplyStep state={state} />;
  else body = <ResultStep state={state} extra={resultExtra} />;

  const readOnly = reviewOnly(state);
  const refusedHard = !!plan?.refusal && !plan.refusal.forceable && !readOnly;
  const nothingToDo = phase !== 'input' && (!!plan?.noop || refusedHard);
  const backTo: 'input' | 'checks' | null = phase === 'plan' ? 'checks' : withSettings && (phase === 'checks' || phase === 'error') ? 'input' : null;

  return (
    <WizardFrame
      title={title}
      steps={steps.map((st) => st.label)}
      current={current}
      onCancel={close}
      focusKey={phase}
      body={body}
      foot={
        <>
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
            <button type="button" className="button button--primary" onClick={() => dispatch({ type: 'goto', phase: 'plan' })} disabled={!refusalCleared(state) && !readOnly}>
              Review the plan
            </button>
          )}
          {phase === 'plan' && readOnly && (
            <span className="muted small" id={`${formId}-why`}>
              Apply is off: nothing here can run these steps.
            </span>
          )}
          {phase === 'plan' && (
            <button
              type="button"
              className="button button--primary"
              onClick={() => void apply()}
              disabled={!canApply(state)}
              aria-describedby={readOnly ? `${formId}-why` : undefined}
            >
              Apply
            </button>
          )}
          {phase === 'result' && (
            <button type="button" className="button button--primary" onClick={close} autoFocus>
              Close
            </button>
          )}
        </>
      }
    />
  );
}
