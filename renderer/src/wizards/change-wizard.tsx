/** The open change wizard, whichever kind it is. */
import type { WizardRequest } from './common/wizard-state';
import { AssignWizard } from './assign/assign-wizard';
import { BridgeWizard } from './bridge/bridge-wizard';
import { IommuWizard } from './iommu/iommu-wizard';
import { SriovWizard } from './sriov/sriov-wizard';
import { VfConfigWizard } from './sriov/vf-config-wizard';

export function ChangeWizard({ request }: { request: WizardRequest }) {
  if (request.kind === 'sriov') return <SriovWizard request={request} />;
  if (request.kind === 'vf-config') return <VfConfigWizard request={request} />;
  if (request.kind === 'iommu') return <IommuWizard request={request} />;
  if (request.kind === 'bridge') return <BridgeWizard request={request} />;
  return <AssignWizard request={request} />;
}
