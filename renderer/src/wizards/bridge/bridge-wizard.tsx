/**
 * "Bridge for VMs…" on a NIC (and "Remove bridge…" on a bridge): the bridge's name and how long
 * to wait for a confirmation, then the shared Checks → Plan → Apply flow, where the checks
 * start with what the host found (the network stack, the NIC's addresses, routes, DNS, whether
 * this very connection comes through it). The change is kept only when confirmed: the result
 * step shows what was checked from the host and counts down (keep-or-revert.tsx).
 */
import { useMemo, useState } from 'react';
import { NETWORK_STACK_NAMES } from '#shared/bridge';
import { CONFIRM_SECONDS } from '#shared/confirm-window';
import type { Plan } from '#shared/plan';
import { FormField, SelectField } from '../../components/form-field';
import { useScanStore } from '../../stores/scan-store';
import { ChangeWizardSteps } from '../common/change-wizard-steps';
import { useWizard } from '../common/use-wizard';
import { WizardForm } from '../common/wizard-form';
import type { WizardRequest } from '../common/wizard-state';
import { bridgeNameProblem, bridgePortCandidates, secondsProblem, type BridgeFormValues } from './bridge-form';
import { KeepOrRevert } from './keep-or-revert';

export type BridgeRequest = Extract<WizardRequest, { kind: 'bridge' }>;

/** What the host found about the NIC, as the plan says it. */
function Found({ plan }: { plan: Plan }) {
  if (plan.detail.kind !== 'bridge') return null;
  const d = plan.detail;
  const holder = d.action === 'create' ? d.port : d.bridge;
  return (
    <section className="wizard__section" aria-label="What Passthru found">
      <h3 className="subhead">What Passthru found</h3>
      <dl className="fields fields--wide">
        <dt>Network stack</dt>
        <dd>
          {NETWORK_STACK_NAMES[d.stack]} <span className="muted small">— {d.stackEvidence}</span>
        </dd>
        <dt>MAC of {holder}</dt>
        <dd className="mono">{d.mac ?? 'unknown'}</dd>
        <dt>Addressing</dt>
        <dd>{d.addressing}</dd>
        <dt>Addresses</dt>
        <dd className="mono">{d.addresses.length ? d.addresses.map((a) => `${a.address}${a.dynamic ? ' (DHCP)' : ''}`).join(', ') : 'none'}</dd>
        <dt>Routes</dt>
        <dd className="mono">{d.routes.length ? d.routes.map((r) => `${r.destination}${r.gateway ? ` via ${r.gateway}` : ''}`).join(', ') : 'none'}</dd>
        {d.dns.length > 0 && (
          <>
            <dt>DNS</dt>
            <dd className="mono">{d.dns.join('; ')}</dd>
          </>
        )}
        <dt>This connection comes through {holder}</dt>
        <dd>{d.session === null ? 'unknown' : d.session ? <strong>yes</strong> : 'no'}</dd>
      </dl>
    </section>
  );
}

function BridgeForm({
  formId,
  request,
  values,
  taken,
  ports,
  onChange,
  onSubmit,
}: {
  formId: string;
  request: BridgeRequest;
  values: BridgeFormValues;
  taken: string[];
  /** The NICs to choose from, when the wizard was opened without one. */
  ports: string[];
  onChange: (v: BridgeFormValues) => void;
  onSubmit: () => void;
}) {
  const port = values.port || 'the NIC';
  return (
    <WizardForm id={formId} onSubmit={onSubmit}>
      {request.action === 'create' ? (
        <>
          {request.port === '' && (
            <SelectField
              label="NIC to bridge"
              value={values.port}
              onChange={(port) => onChange({ ...values, port })}
              options={ports.length ? ports.map((p) => ({ value: p, label: p })) : [{ value: '', label: 'No wired NIC that could be a bridge port' }]}
              hint="The NIC with the default route comes first: bridging it puts VMs on the host's own network."
            />
          )}
          <p>
            The bridge takes over <span className="mono">{port}</span>: its MAC, addresses, routes and DNS move to the bridge, and <span className="mono">{port}</span> becomes its
            port. VMs with a virtio NIC on the bridge then sit on {port}&apos;s network.
          </p>
          <FormField
            label="Bridge name"
            value={values.bridge}
            onChange={(e) => onChange({ ...values, bridge: e.target.value })}
            problem={bridgeNameProblem(values.bridge, taken)}
            autoFocus
            spellCheck={false}
          />
        </>
      ) : (
        <p>
          <span className="mono">{request.bridge}</span> is removed and its port gets the bridge&apos;s configuration back.
        </p>
      )}
      <FormField
        label="Seconds to confirm"
        type="number"
        inputMode="numeric"
        min={CONFIRM_SECONDS.min}
        max={CONFIRM_SECONDS.max}
        value={values.seconds}
        onChange={(e) => onChange({ ...values, seconds: e.target.value })}
        problem={secondsProblem(values.seconds)}
        hint="Once applied and checked, the change is kept only if you confirm it within this time; otherwise the host puts everything back by itself."
      />
    </WizardForm>
  );
}

export function BridgeWizard({ request }: { request: BridgeRequest }) {
  const { state, dispatch, apply } = useWizard(request);
  const interfaces = useScanStore((s) => s.scan?.interfaces);
  const taken = useMemo(() => (interfaces ?? []).map((i) => i.name), [interfaces]);
  const ports = useMemo(() => bridgePortCandidates(interfaces ?? []).map((i) => i.name), [interfaces]);
  const [values, setValues] = useState<BridgeFormValues>(() => ({
    bridge: request.bridge,
    port: request.action === 'create' ? request.port || (ports[0] ?? '') : '',
    seconds: String(request.confirmSeconds),
  }));
  const nameOk = request.action === 'remove' || (bridgeNameProblem(values.bridge, taken) === null && values.port !== '');
  const valid = nameOk && secondsProblem(values.seconds) === null;
  const submit = () => {
    if (!valid) return;
    const confirmSeconds = Number(values.seconds);
    dispatch({ type: 'submit', request: request.action === 'create' ? { ...request, bridge: values.bridge, port: values.port, confirmSeconds } : { ...request, confirmSeconds } });
  };
  const shownPort = request.action === 'create' ? request.port || values.port || 'a NIC' : '';
  const { plan, result } = state;
  return (
    <ChangeWizardSteps
      title={request.action === 'create' ? `Bridge ${shownPort} for VMs` : `Remove bridge ${request.bridge}`}
      state={state}
      dispatch={dispatch}
      apply={apply}
      forceLabel="I understand"
      settingsValid={valid}
      settings={(formId) => <BridgeForm formId={formId} request={request} values={values} taken={taken} ports={ports} onChange={setValues} onSubmit={submit} />}
      checksExtra={plan ? <Found plan={plan} /> : null}
      resultExtra={plan && result?.pending ? <KeepOrRevert plan={plan} result={result} /> : null}
    />
  );
}
