/**
 * Step 1: the checks, each explained, the IOMMU group and what the plan leaves behind, the
 * options (each change re-plans on the host) and, for a refusal, why — plus the typed
 * confirmation path when the refusal may be forced.
 */
import type { Dispatch } from 'react';
import type { Plan } from '../../../../shared/plan';
import { StatusIcon } from '../../components/icons';
import type { WizardAction, WizardState } from './wizard-state';

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

export function ExpectedGroup({ plan }: { plan: Plan }) {
  const { iommuGroup, groupViable, remainingBlockers } = plan.expected;
  if (iommuGroup === null) return <p>The device is not in an IOMMU group.</p>;
  return (
    <div className="wizard__expected">
      <p>
        <strong>IOMMU group {iommuGroup}</strong>: {plan.noop ? 'nothing to change for' : plan.refusal && !plan.options.force ? 'this plan would change' : 'this plan changes'}{' '}
        <span className="mono">{plan.devices.join(', ')}</span>.{' '}
        {groupViable
          ? 'Afterwards the group is viable: a VM can use it.'
          : 'Afterwards the group is still not viable for a VM.'}
      </p>
      {remainingBlockers.length > 0 && (
        <ul className="reasons" aria-label={`Still blocking IOMMU group ${iommuGroup}`}>
          {remainingBlockers.map((b) => (
            <li key={b.address}>
              <span className="mono">{b.address}</span> stays on {b.driver}.
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ChecksStep({ state, dispatch }: { state: WizardState; dispatch: Dispatch<WizardAction> }) {
  const plan = state.plan;
  const req = state.request;
  if (!plan) return null;
  const refusal = plan.refusal;
  return (
    <div className="wizard__section">
      {plan.noop && (
        <p className="notice notice--ok" role="status">
          Already on vfio-pci — nothing to do.
        </p>
      )}
      {refusal && (
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
      )}
      <ChecksList plan={plan} />
      <ExpectedGroup plan={plan} />
      {req.kind === 'assign' && (
        <fieldset className="wizard__options">
          <legend>Options</legend>
          <label>
            <input
              type="checkbox"
              checked={req.group}
              onChange={(e) => dispatch({ type: 'replan', request: { ...req, group: e.target.checked } })}
            />{' '}
            Bind the whole group (endpoints only; bridges stay as they are)
          </label>
          <label>
            <input
              type="checkbox"
              checked={req.persist}
              onChange={(e) => dispatch({ type: 'replan', request: { ...req, persist: e.target.checked } })}
            />{' '}
            Keep after reboot
          </label>
        </fieldset>
      )}
      {refusal?.forceable && (
        <fieldset className="wizard__force">
          <legend>Override the refusal</legend>
          <label>
            <input type="checkbox" checked={state.acknowledged} onChange={(e) => dispatch({ type: 'acknowledge', on: e.target.checked })} />{' '}
            I understand, the network will drop
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
      )}
    </div>
  );
}
