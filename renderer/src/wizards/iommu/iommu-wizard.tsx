/**
 * "IOMMU boot settings…": what Passthru found about how this machine boots (each conclusion with
 * its evidence), the choices (iommu=pt, VFIO modules early, or taking Passthru's arguments out
 * again), then the shared Checks → Plan (every file's diff, the commands, the backups) →
 * Apply → Result flow. Main detects and plans; this form only says what the user wants.
 */
import { WizardForm } from '../common/wizard-form';
import { useState } from 'react';
import type { BootFinding, IommuBootStatus } from '#shared/iommu';
import { ErrorNotice, Loading } from '../../components/feedback';
import { useIommuStatus } from '../../lib/use-iommu-status';
import { useWizard } from '../common/use-wizard';
import { ChangeWizardSteps } from '../common/change-wizard-steps';
import type { WizardRequest } from '../common/wizard-state';

export type IommuRequest = Extract<WizardRequest, { kind: 'iommu' }>;

function Findings({ findings }: { findings: BootFinding[] }) {
  return (
    <dl className="findings" aria-label="What Passthru found">
      {findings.map((f) => (
        <div key={f.id} className={`finding${f.ok ? '' : ' finding--blocker'}`} data-finding={f.id}>
          <dt>{f.label}</dt>
          <dd>
            <span className="finding__value">{f.value}</span>
            <span className="finding__evidence muted small">{f.evidence}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function IommuForm({
  formId,
  status,
  values,
  onChange,
  onSubmit,
}: {
  formId: string;
  status: IommuBootStatus;
  values: IommuRequest;
  onChange: (values: IommuRequest) => void;
  onSubmit: () => void;
}) {
  const enable = values.action === 'enable';
  const initramfs = status.findings.find((f) => f.id === 'initramfs')?.value ?? 'none known';
  return (
    <WizardForm id={formId} onSubmit={onSubmit}>
      <h3 className="subhead">What Passthru found</h3>
      <Findings findings={status.findings} />
      {!status.bootloader.supported && (
        <p className="notice notice--warn" role="note">
          Passthru will not change this machine&apos;s boot configuration: {status.bootloader.reason}
        </p>
      )}
      <p>
        The boot configuration{' '}
        {status.configured === 'on'
          ? `already turns the IOMMU on${status.configuredArgs.length ? ` (${status.configuredArgs.join(' ')})` : ''}.`
          : status.configured === 'off'
            ? 'does not turn the IOMMU on yet.'
            : 'cannot be read by Passthru.'}{' '}
        <span className="muted">{status.enableSummary}</span>
      </p>
      <fieldset className="wizard__choices">
        <legend>What to do</legend>
        <label className="wizard__check">
          <input type="radio" name="iommu-action" checked={enable} onChange={() => onChange({ ...values, action: 'enable' })} /> Turn the IOMMU on
          {status.wantedArgs.length ? ` (${status.wantedArgs.join(' ')})` : ' (no argument is needed on this CPU)'}
        </label>
        <label className="wizard__check">
          <input type="radio" name="iommu-action" checked={!enable} onChange={() => onChange({ ...values, action: 'disable' })} /> Remove the IOMMU arguments Passthru adds
          (intel_iommu=on, amd_iommu=on, iommu=pt) and the early VFIO modules
        </label>
      </fieldset>
      <fieldset className="wizard__choices" disabled={!enable}>
        <legend>Options</legend>
        <label className="wizard__check">
          <input type="checkbox" checked={enable && values.pt} onChange={(e) => onChange({ ...values, pt: e.target.checked })} /> Also add iommu=pt: host devices skip DMA
          translation (faster); devices given to VMs stay isolated
        </label>
        <label className="wizard__check">
          <input type="checkbox" checked={enable && values.earlyVfio} onChange={(e) => onChange({ ...values, earlyVfio: e.target.checked })} /> Load the VFIO modules early
          (initramfs: {initramfs}), so vfio-pci can claim a device before its own driver does
        </label>
      </fieldset>
      <p className="muted small">Nothing is changed until you apply the plan; the next steps show every file&apos;s diff and the commands first.</p>
    </WizardForm>
  );
}

export function IommuWizard({ request }: { request: IommuRequest }) {
  const { state, dispatch, apply } = useWizard(request);
  const status = useIommuStatus();
  const submitted = state.request.kind === 'iommu' ? state.request : request;
  const [values, setValues] = useState<IommuRequest>(submitted);
  const next: IommuRequest = values.action === 'enable' ? values : { ...values, pt: false, earlyVfio: false };

  return (
    <ChangeWizardSteps
      title="IOMMU boot settings"
      state={state}
      dispatch={dispatch}
      apply={apply}
      forceLabel="I understand"
      settingsValid={status.state === 'ready'}
      settings={(formId) =>
        status.state === 'ready' ? (
          <IommuForm formId={formId} status={status.status} values={values} onChange={setValues} onSubmit={() => dispatch({ type: 'submit', request: next })} />
        ) : status.state === 'loading' ? (
          <Loading>Looking at how this machine boots…</Loading>
        ) : (
          <ErrorNotice error={status.error} title="Could not read the boot configuration" />
        )
      }
      resultExtra={
        <p>
          After the reboot, the Overview checks the running kernel: its command line, /sys/class/iommu, the IOMMU groups and interrupt remapping, and says what is still missing. To
          take it back, use History → Undo or this wizard&apos;s &quot;Remove&quot; choice.
        </p>
      }
    />
  );
}
