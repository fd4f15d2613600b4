/**
 * "Configure…" one VF: MAC (checked as the user types, with a generator for locally
 * administered addresses), VLAN and priority, trust, spoof check and link state, as the PF
 * driver holds them (`ip link set PF vf N …`); only what changed is sent. Then the shared
 * Checks → Plan → Apply → Result flow.
 */
import { WizardForm } from '../common/wizard-form';
import { useState } from 'react';
import { randomLocalMac } from '#shared/mac';
import type { VfSettings } from '#shared/model';
import { useScanStore } from '../../stores/scan-store';
import { useWizard } from '../common/use-wizard';
import { ChangeWizardSteps } from '../common/change-wizard-steps';
import { describeVfChange, type WizardRequest } from '../common/wizard-state';
import { FormField, SelectField } from '../../components/form-field';
import { initialVfForm, qosEnabled, vfChangeFrom, vfFormProblems, type LinkChoice, type OnOff, type VfFormValues } from './vf-form';

export type VfConfigRequest = Extract<WizardRequest, { kind: 'vf-config' }>;

function onOffOptions(current: boolean | null | undefined) {
  const unknown = current === null || current === undefined;
  return [...(unknown ? [{ value: '', label: 'Leave as it is (not reported)' }] : []), { value: 'on', label: 'On' }, { value: 'off', label: 'Off' }];
}

function VfForm({
  formId,
  current,
  values,
  onChange,
  onSubmit,
}: {
  formId: string;
  current: VfSettings | null;
  values: VfFormValues;
  onChange: (values: VfFormValues) => void;
  onSubmit: () => void;
}) {
  const problems = vfFormProblems(values, current);
  const change = vfChangeFrom(values, current);
  const qosOn = qosEnabled(values, current);
  return (
    <WizardForm id={formId} onSubmit={onSubmit}>
      {!current && (
        <p className="notice notice--warn">The PF did not report this VF&apos;s settings (no interface, or iproute2 was not read): fields left empty stay as they are.</p>
      )}
      <div className="form-row">
        <FormField
          label="MAC address"
          className="input mono"
          autoComplete="off"
          spellCheck={false}
          placeholder="02:00:00:00:00:01"
          value={values.mac}
          onChange={(e) => onChange({ ...values, mac: e.target.value })}
          problem={problems.mac}
          hint="Six hex pairs, unicast. Empty keeps the current one; 00:00:00:00:00:00 clears it."
          autoFocus
        />
        <button type="button" className="button form-row__button" onClick={() => onChange({ ...values, mac: randomLocalMac() })}>
          Generate
        </button>
      </div>
      <div className="form-row">
        <FormField
          label="VLAN"
          type="number"
          inputMode="numeric"
          min={0}
          max={4095}
          step={1}
          value={values.vlan}
          onChange={(e) => onChange({ ...values, vlan: e.target.value })}
          problem={problems.vlan}
          hint="0 (untagged) to 4095."
        />
        <FormField
          label="Priority (QoS)"
          type="number"
          inputMode="numeric"
          min={0}
          max={7}
          step={1}
          disabled={!qosOn}
          value={qosOn ? values.qos : ''}
          onChange={(e) => onChange({ ...values, qos: e.target.value })}
          problem={problems.qos}
          hint={qosOn ? '0 to 7 (802.1p).' : 'Only with a VLAN.'}
        />
      </div>
      <div className="form-row">
        <SelectField
          label="Trust"
          value={values.trust}
          onChange={(v) => onChange({ ...values, trust: v as OnOff })}
          options={onOffOptions(current?.trust)}
          hint="Lets the VM change its MAC and use promiscuous mode."
        />
        <SelectField
          label="Spoof check"
          value={values.spoofCheck}
          onChange={(v) => onChange({ ...values, spoofCheck: v as OnOff })}
          options={onOffOptions(current?.spoofCheck)}
          hint="Drops frames the VM sends from another MAC."
        />
        <SelectField
          label="Link state"
          value={values.linkState}
          onChange={(v) => onChange({ ...values, linkState: v as LinkChoice })}
          options={[
            ...(current?.linkState ? [] : [{ value: '', label: 'Leave as it is (not reported)' }]),
            { value: 'auto', label: 'Auto (follow the PF)' },
            { value: 'enable', label: 'Always up' },
            { value: 'disable', label: 'Always down' },
          ]}
        />
      </div>
      <p className="muted" role="status">
        {change === null ? 'Correct the fields marked above.' : Object.keys(change).length === 0 ? 'Nothing changed yet.' : `Will set: ${describeVfChange(change)}.`}
      </p>
    </WizardForm>
  );
}

export function VfConfigWizard({ request }: { request: VfConfigRequest }) {
  const { state, dispatch, apply } = useWizard(request);
  const scan = useScanStore((s) => s.scan);
  const pf = scan?.devices.find((d) => d.address === request.address);
  // Read once: the form compares against the VF as it was when the dialog opened.
  const [current] = useState<VfSettings | null>(() => pf?.sriov?.vfSettings?.find((s) => s.index === request.vf) ?? null);
  const [values, setValues] = useState(() => initialVfForm(current));
  const change = vfChangeFrom(values, current);
  const ready = change !== null && Object.keys(change).length > 0;

  return (
    <ChangeWizardSteps
      title={`Configure VF ${request.vf} of ${request.address}`}
      state={state}
      dispatch={dispatch}
      apply={apply}
      forceLabel="I understand, and want to go ahead anyway"
      settingsValid={ready}
      settings={(formId) =>
        pf?.sriov ? (
          <VfForm
            formId={formId}
            current={current}
            values={values}
            onChange={setValues}
            onSubmit={() => ready && dispatch({ type: 'submit', request: { ...request, settings: change } })}
          />
        ) : (
          <p className="notice notice--error" role="alert">
            {request.address} is not an SR-IOV capable device in the current scan.
          </p>
        )
      }
    />
  );
}
