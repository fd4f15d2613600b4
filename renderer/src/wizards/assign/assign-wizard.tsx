/**
 * The assign / give-back / undo wizard: the shared Checks → Plan → Apply → Result flow
 * (common/change-wizard-steps.tsx) plus the assign options and the IOMMU group as the plan leaves it.
 */
import { useWizard } from '../common/use-wizard';
import { ChangeWizardSteps } from '../common/change-wizard-steps';
import type { WizardRequest } from '../common/wizard-state';
import { AssignOptions, ExpectedGroup } from './assign-checks';

export type AssignRequest = Extract<WizardRequest, { kind: 'assign' | 'release' | 'undo' }>;

function titleFor(r: AssignRequest): string {
  if (r.kind === 'assign') return `Assign ${r.address} to vfio-pci`;
  if (r.kind === 'release') return `Give ${r.address} back to the host`;
  return 'Undo a change';
}

export function AssignWizard({ request }: { request: AssignRequest }) {
  const { state, dispatch, apply } = useWizard(request);
  const { plan } = state;
  const req = state.request;
  return (
    <ChangeWizardSteps
      title={titleFor(request)}
      state={state}
      dispatch={dispatch}
      apply={apply}
      forceLabel="I understand, the network will drop"
      checksExtra={
        plan && (
          <>
            <ExpectedGroup plan={plan} />
            {req.kind === 'assign' && <AssignOptions request={req} dispatch={dispatch} />}
          </>
        )
      }
      resultExtra={plan?.kind === 'assign' && <ExpectedGroup plan={plan} />}
    />
  );
}
