/**
 * The Checks step every change wizard shares: the checks, each explained, the refusal (why,
 * and what to do), what the wizard adds (options, the IOMMU group afterwards) and, for a
 * refusal that may be forced, the acknowledgement plus the typed confirmation.
 */
import type { Dispatch, ReactNode } from 'react';
import type { Plan } from '#shared/plan';
import { StatusIcon } from '../../components/icons';
import { noopSentence, type WizardAction, type WizardState } from './wizard-state';

const STATUS_WORD = { pass: 'Pass', warn: 'Warning', fail: 'Fail' } as const;

export function ChecksList({ plan }: { plan: Plan }) {
  return (
    <ul className="check-list" aria-label="Checks">
      {plan.checks.map((c) => (
        <li key={c.id} className={`check check--${c.status}`}>
          <StatusIcon status={c.status} />
          <div>
            <p className="check__title">
              <span className="sr-only">{STATUS_WORD[c.status]}: </span>
              {c.title}
            </p>
            <p className="check__detail">{c.detail}</p>
            {c.remedy && (
              <p className="check__remedy">
                <strong>What to do:</strong> {c.remedy}
              </p>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}

export function RefusalNotice({ refusal }: { refusal: NonNullable<Plan['refusal']> }) {
  return (
    <div className="notice notice--error" role="alert">
      <div className="notice__body">
        <p className="notice__title">
          <strong>{refusal.forceable ? 'Refused unless you insist' : 'Refused'}:</strong> {refusal.message}
        </p>
        {refusal.remedy && (
          <p className="notice__remedy">
            <strong>What to do:</strong> {refusal.remedy}
          </p>
        )}
        {!refusal.forceable && <p>Nothing will be changed.</p>}
      </div>
    </div>
  );
}

/** The forced path: acknowledge (which re-plans with force), then type the confirmation text. */
export function ForceConfirm({ refusal, state, dispatch, label }: { refusal: NonNullable<Plan['refusal']>; state: WizardState; dispatch: Dispatch<WizardAction>; label: string }) {
  return (
    <fieldset className="wizard__force">
      <legend>Override the refusal</legend>
      <label>
        <input type="checkbox" checked={state.acknowledged} onChange={(e) => dispatch({ type: 'acknowledge', on: e.target.checked })} /> {label}
      </label>
      {state.acknowledged && refusal.confirmText && (
        <label className="wizard__confirm">
          <span>
            Type <strong className="mono">{refusal.confirmText}</strong> to confirm
          </span>
          <input
            type="text"
            className="input mono"
            autoComplete="off"
            spellCheck={false}
            value={state.confirmText}
            onChange={(e) => dispatch({ type: 'confirm-text', text: e.target.value })}
          />
        </label>
      )}
    </fieldset>
  );
}

export function ChecksStep({
  state,
  dispatch,
  forceLabel,
  children,
}: {
  state: WizardState;
  dispatch: Dispatch<WizardAction>;
  /** The acknowledgement for a forceable refusal, e.g. "I understand, the network will drop". */
  forceLabel: string;
  /** What this wizard adds under the checks: options, the group afterwards. */
  children?: ReactNode;
}) {
  const plan = state.plan;
  if (!plan) return null;
  const refusal = plan.refusal;
  return (
    <div className="wizard__section">
      {plan.noop && (
        <p className="notice notice--ok" role="status">
          {noopSentence(plan)}
        </p>
      )}
      {refusal && <RefusalNotice refusal={refusal} />}
      <ChecksList plan={plan} />
      {children}
      {refusal?.forceable && <ForceConfirm refusal={refusal} state={state} dispatch={dispatch} label={forceLabel} />}
    </div>
  );
}
