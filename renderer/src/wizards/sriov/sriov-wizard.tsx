/**
 * "Set number of VFs…": a settings form (how many VFs, whether new ones get a host driver,
 * whether to recreate them at boot), then the shared Checks → Plan → Apply → Result flow.
 * The PF is read from the current scan, so the form always shows what the host has now.
 */
import { WizardForm } from '../common/wizard-form';
import { useState } from 'react';
import type { PciDevice } from '#shared/model';
import { useScanStore } from '../../stores/scan-store';
import { useWizard } from '../common/use-wizard';
import { ChangeWizardSteps } from '../common/change-wizard-steps';
import { FormField } from '../../components/form-field';
import { initialSriovForm, sriovRequestFrom, vfCountProblem, type SriovFormValues, type SriovRequest } from './sriov-form';

function SriovForm({
  formId,
  pf,
  values,
  onChange,
  onSubmit,
}: {
  formId: string;
  pf: PciDevice;
  values: SriovFormValues;
  onChange: (values: SriovFormValues) => void;
  onSubmit: () => void;
}) {
  const sriov = pf.sriov!;
  const problem = vfCountProblem(values.count, sriov.totalVfs);
  return (
    <WizardForm id={formId} onSubmit={onSubmit}>
      <p>
        <span className="mono">{pf.address}</span> has <strong>{sriov.numVfs}</strong> of {sriov.totalVfs} virtual functions enabled.
        {sriov.numVfs > 0 && ' Changing to another non-zero number first goes to 0 (the kernel refuses anything else): every VF is removed and created again.'}
      </p>
      <FormField
        label="Number of VFs"
        type="number"
        inputMode="numeric"
        min={0}
        max={sriov.totalVfs}
        step={1}
        value={values.count}
        onChange={(e) => onChange({ ...values, count: e.target.value })}
        problem={problem}
        hint={`0 to ${sriov.totalVfs}; 0 removes every VF.`}
        autoFocus
      />
      <label className="wizard__check">
        <input type="checkbox" checked={values.keepUnbound} onChange={(e) => onChange({ ...values, keepUnbound: e.target.checked })} /> Keep new VFs without a host driver (for VMs)
      </label>
      <label className="wizard__check">
        <input type="checkbox" checked={values.persist} onChange={(e) => onChange({ ...values, persist: e.target.checked })} /> Recreate at boot
      </label>
    </WizardForm>
  );
}

export function SriovWizard({ request }: { request: SriovRequest }) {
  const { state, dispatch, apply } = useWizard(request);
  const scan = useScanStore((s) => s.scan);
  const pf = scan?.devices.find((d) => d.address === request.address);
  const sriov = pf?.sriov ?? null;
  const submitted = state.request.kind === 'sriov' ? state.request : request;
  const [values, setValues] = useState(() => initialSriovForm(submitted, sriov));
  const next = pf && sriov ? sriovRequestFrom(values, pf.address, sriov) : null;

  return (
    <ChangeWizardSteps
      title={`Set the number of VFs of ${request.address}`}
      state={state}
      dispatch={dispatch}
      apply={apply}
      forceLabel="I understand, and want to go ahead anyway"
      settingsValid={next !== null}
      settings={(formId) =>
        pf && sriov ? (
          <SriovForm formId={formId} pf={pf} values={values} onChange={setValues} onSubmit={() => next && dispatch({ type: 'submit', request: next })} />
        ) : (
          <p className="notice notice--error" role="alert">
            {request.address} is not an SR-IOV capable device in the current scan.
          </p>
        )
      }
    />
  );
}
