/**
 * What the assign / give-back wizard adds to the shared steps: the IOMMU group as the plan
 * leaves it, and the assign options (each change re-plans on the host).
 */
import type { Dispatch } from 'react';
import { groupOutcome, type Plan } from '#shared/plan';
import type { WizardAction, WizardRequest } from '../common/wizard-state';

export function ExpectedGroup({ plan }: { plan: Plan }) {
  const outcome = groupOutcome(plan);
  // An undo of a change that moved no device (the boot configuration, a VM's taps) has no group to speak of.
  if (outcome === null) return null;
  const { iommuGroup, groupViable, remainingBlockers } = outcome;
  if (iommuGroup === null) return <p>The device is not in an IOMMU group.</p>;
  return (
    <div className="wizard__expected">
      <p>
        <strong>IOMMU group {iommuGroup}</strong>: {plan.noop ? 'nothing to change for' : plan.refusal && !plan.force ? 'this plan would change' : 'this plan changes'}{' '}
        <span className="mono">{plan.devices.join(', ')}</span>.{' '}
        {plan.kind === 'assign'
          ? groupViable
            ? 'Afterwards a VM can take the group.'
            : 'Afterwards a VM cannot take the group yet: other members stay on host drivers.'
          : 'Afterwards the device is back with the host.'}
      </p>
      {remainingBlockers.length > 0 && (
        <ul className="reasons" aria-label={`Still on host drivers in IOMMU group ${iommuGroup}`}>
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

export function AssignOptions({ request, dispatch }: { request: Extract<WizardRequest, { kind: 'assign' }>; dispatch: Dispatch<WizardAction> }) {
  return (
    <fieldset className="wizard__options">
      <legend>Options</legend>
      <label>
        <input type="checkbox" checked={request.group} onChange={(e) => dispatch({ type: 'replan', request: { ...request, group: e.target.checked } })} /> Bind the whole group
        (endpoints only; bridges stay as they are)
      </label>
      <label>
        <input type="checkbox" checked={request.persist} onChange={(e) => dispatch({ type: 'replan', request: { ...request, persist: e.target.checked } })} /> Keep after reboot
      </label>
    </fieldset>
  );
}
