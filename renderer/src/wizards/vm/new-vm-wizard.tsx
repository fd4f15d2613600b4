/**
 * "New VM…": the settings (name, vCPUs, memory, firmware, a disk — existing or a new qcow2 —,
 * an installer ISO, the display, and NICs: a device passed through, virtio on a bridge, or
 * NAT), then a preview made by main — every check in words and the exact qemu command line,
 * copyable — then save, and start if wanted. A passthrough NIC not yet on vfio-pci offers the
 * assign wizard right there; "Check again" re-runs the checks after it.
 *
 * On a snapshot it is a rehearsal: the pickers list the snapshot's network functions
 * (driver, group verdict, the management NIC flagged) and bridges, the preview is computed
 * against them, saving marks the profile as made against the snapshot, and the start buttons
 * are off — with the reason beside them — since VMs run on this machine.
 */
import { WizardForm } from '../common/wizard-form';
import { useId, useState } from 'react';
import type { ScanSource } from '#shared/model';
import type { VmProfile } from '#shared/vm';
import type { VmCheckView, VmFix, VmPreview } from '#shared/vm-api';
import { getApi } from '../../api';
import { ErrorNotice, Loading } from '../../components/feedback';
import { StatusIcon } from '../../components/icons';
import { ManagementBadge, PassthroughBadge } from '../../components/status';
import { toDisplayError, type DisplayError } from '../../lib/display-error';
import { formatTimestamp } from '../../lib/format';
import { useScanStore } from '../../stores/scan-store';
import { vmStore } from '../../stores/vm-store';
import { wizardStore } from '../../stores/wizard-store';
import { freeBridgeName } from '../bridge/bridge-form';
import { CodeBlock } from '../common/plan-view';
import { WizardFrame } from '../common/wizard-frame';
import { FormField } from '../../components/form-field';
import { bridgeCandidates, candidateText, initialVmForm, passthroughCandidates, profileFrom, vmFormProblems, type NicChoice, type VmFormValues } from './vm-form';
import { snapshotHost, useShownSnapshot } from '../../pages/vms/shown-source';

type Step = 'settings' | 'preview' | 'done';
type DiskMode = 'none' | 'existing' | 'new';

function NicRow({
  nic,
  index,
  onChange,
  onRemove,
  devices,
  bridges,
  interfaceNames,
  hostName,
}: {
  nic: NicChoice;
  index: number;
  onChange: (nic: NicChoice) => void;
  onRemove: () => void;
  devices: ReturnType<typeof passthroughCandidates>;
  bridges: string[];
  /** Every interface name (a new bridge gets a free one). */
  interfaceNames: string[];
  /** "this host", or the snapshot's host. */
  hostName: string;
}) {
  const n = index + 1;
  const verdictId = useId();
  const chosen = nic.kind === 'passthrough' ? devices.find((d) => d.address === nic.address) : undefined;
  return (
    <li className="nic-row">
      <label>
        <span>NIC {n}</span>
        <select
          className="input"
          aria-label={`Kind of NIC ${n}`}
          value={nic.kind}
          onChange={(e) => {
            const kind = e.target.value as NicChoice['kind'];
            onChange(kind === 'nat' ? { kind } : kind === 'bridge' ? { kind, bridge: bridges[0] ?? '' } : { kind, address: '' });
          }}
        >
          <option value="nat">virtio with NAT (user networking)</option>
          <option value="bridge">virtio on a bridge (tap)</option>
          <option value="passthrough">passthrough (a device or VF on vfio-pci)</option>
        </select>
      </label>
      {nic.kind === 'bridge' && (
        <select className="input" aria-label={`Bridge of NIC ${n}`} value={nic.bridge} onChange={(e) => onChange({ kind: 'bridge', bridge: e.target.value })}>
          {bridges.length === 0 && <option value="">{`No bridge on ${hostName}`}</option>}
          {bridges.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      )}
      {nic.kind === 'bridge' && bridges.length === 0 && (
        <button type="button" className="button" onClick={() => wizardStore.getState().openBridge('', freeBridgeName(interfaceNames))}>
          Create a bridge…
        </button>
      )}
      {nic.kind === 'passthrough' && (
        <select
          className="input"
          aria-label={`Device of NIC ${n}`}
          aria-describedby={chosen ? verdictId : undefined}
          value={nic.address}
          onChange={(e) => onChange({ kind: 'passthrough', address: e.target.value })}
        >
          <option value="">{devices.length === 0 ? `No network device on ${hostName}` : 'Choose a network device…'}</option>
          {devices.map((d) => (
            <option key={d.address} value={d.address}>
              {candidateText(d)}
            </option>
          ))}
        </select>
      )}
      <button type="button" className="button button--quiet" onClick={onRemove} aria-label={`Remove NIC ${n}`}>
        Remove
      </button>
      {chosen && (
        <p className="nic-row__verdict small" id={verdictId} data-testid={`nic${index}-verdict`}>
          {chosen.verdict && <PassthroughBadge state={chosen.verdict} />}
          {chosen.management && <ManagementBadge />} <span>{chosen.reasons.join(' ')}</span>
        </p>
      )}
    </li>
  );
}

function SettingsForm({
  formId,
  values,
  setValues,
  problems,
  diskMode,
  setDiskMode,
  diskSize,
  setDiskSize,
  onSubmit,
}: {
  formId: string;
  values: VmFormValues;
  setValues: (v: VmFormValues) => void;
  problems: ReturnType<typeof vmFormProblems>;
  diskMode: DiskMode;
  setDiskMode: (m: DiskMode) => void;
  diskSize: string;
  setDiskSize: (s: string) => void;
  onSubmit: () => void;
}) {
  const scan = useScanStore((s) => s.scan);
  const snapshot = useShownSnapshot();
  // The host on screen, live or a snapshot: a snapshot's devices and bridges are a rehearsal.
  const devices = passthroughCandidates(scan);
  const bridges = bridgeCandidates(scan);
  const hostName = snapshot ? snapshotHost(snapshot) : 'this host';
  const set = (patch: Partial<VmFormValues>) => setValues({ ...values, ...patch });
  const setNic = (i: number, nic: NicChoice) => set({ nics: values.nics.map((n, j) => (j === i ? nic : n)) });
  return (
    <WizardForm id={formId} onSubmit={onSubmit}>
      {snapshot && <RehearsalNotice snapshot={snapshot} />}
      <FormField label="Name" value={values.name} onChange={(e) => set({ name: e.target.value })} problem={problems.name} autoFocus autoComplete="off" spellCheck={false} />
      <div className="form-row">
        <FormField label="vCPUs" type="number" inputMode="numeric" min={1} max={256} value={values.cpus} onChange={(e) => set({ cpus: e.target.value })} problem={problems.cpus} />
        <FormField
          label="Memory (MiB)"
          type="number"
          inputMode="numeric"
          min={16}
          step={256}
          value={values.memoryMiB}
          onChange={(e) => set({ memoryMiB: e.target.value })}
          problem={problems.memoryMiB}
        />
      </div>
      <div className="form-row">
        <label className="form-field">
          <span>Firmware</span>
          <select className="input" value={values.firmware} onChange={(e) => set({ firmware: e.target.value as VmFormValues['firmware'] })}>
            <option value="seabios">BIOS (SeaBIOS)</option>
            <option value="ovmf">UEFI (OVMF, when installed)</option>
          </select>
        </label>
        <label className="form-field">
          <span>Display</span>
          <select className="input" value={values.display} onChange={(e) => set({ display: e.target.value as VmFormValues['display'] })}>
            <option value="none">None (headless)</option>
            <option value="vnc">VNC on 127.0.0.1</option>
            <option value="window">A qemu window on this desktop</option>
          </select>
        </label>
      </div>
      <fieldset className="wizard__choices">
        <legend>Disk</legend>
        {(['none', 'existing', 'new'] as const).map((m) => (
          <label key={m} className="wizard__check">
            <input type="radio" name="disk-mode" checked={diskMode === m} onChange={() => setDiskMode(m)} />{' '}
            {m === 'none' ? 'No disk' : m === 'existing' ? 'An existing image (qcow2 or raw)' : 'A new qcow2 image, created when you save'}
          </label>
        ))}
        {diskMode !== 'none' && (
          <div className="form-row">
            <FormField
              label="Disk image path"
              value={values.disk}
              onChange={(e) => set({ disk: e.target.value })}
              problem={problems.disk ?? (values.disk.trim() === '' ? 'Enter the path of the disk image.' : null)}
              spellCheck={false}
              className="input mono"
            />
            {diskMode === 'existing' ? (
              <label className="form-field">
                <span>Format</span>
                <select className="input" value={values.diskFormat} onChange={(e) => set({ diskFormat: e.target.value as 'qcow2' | 'raw' })}>
                  <option value="qcow2">qcow2</option>
                  <option value="raw">raw</option>
                </select>
              </label>
            ) : (
              <FormField
                label="Size (GiB)"
                type="number"
                inputMode="numeric"
                min={1}
                value={diskSize}
                onChange={(e) => setDiskSize(e.target.value)}
                problem={/^\d+$/.test(diskSize) && Number(diskSize) >= 1 ? null : 'Enter a whole number of GiB.'}
              />
            )}
          </div>
        )}
      </fieldset>
      <FormField
        label="Installer ISO (optional)"
        value={values.iso}
        onChange={(e) => set({ iso: e.target.value })}
        problem={problems.iso}
        spellCheck={false}
        className="input mono"
      />
      <fieldset className="wizard__choices">
        <legend>Network</legend>
        <ul className="plain-list nic-list">
          {values.nics.map((nic, i) => (
            <NicRow
              key={i}
              nic={nic}
              index={i}
              devices={devices}
              bridges={bridges}
              interfaceNames={scan?.interfaces.map((i) => i.name) ?? []}
              hostName={hostName}
              onChange={(n) => setNic(i, n)}
              onRemove={() => set({ nics: values.nics.filter((_n, j) => j !== i) })}
            />
          ))}
        </ul>
        {values.nics.length === 0 && <p className="muted small">No NIC: the VM gets no network (-net none).</p>}
        <p className="text-fail small" aria-live="polite">
          {problems.nics ?? ''}
        </p>
        <button type="button" className="button" onClick={() => set({ nics: [...values.nics, { kind: 'nat' }] })}>
          Add NIC
        </button>
      </fieldset>
    </WizardForm>
  );
}

/** What a wizard on a snapshot is: a rehearsal against that host, for a VM that would run here. */
function RehearsalNotice({ snapshot }: { snapshot: ScanSource }) {
  const host = snapshotHost(snapshot);
  return (
    <div className="notice notice--warn rehearsal" role="note" data-testid="vm-wizard-rehearsal">
      <p>
        <strong>A rehearsal against the snapshot of {host}.</strong> VMs run on this machine, not on {host}.
      </p>
      <p>
        The network devices and bridges below are {host}'s, and the preview checks this profile against them (KVM as the snapshot recorded it). You can save the profile — it is
        marked as made against this snapshot — but not start it until you go back to the live host.
      </p>
    </div>
  );
}

/** A failed check's fix, as the wizard that makes it (the CLI prints the command instead). */
function FixButton({ fix }: { fix: VmFix }) {
  const w = wizardStore.getState();
  // The VM to stop is on the VMs page behind this dialog, with its own Shut down and Force stop.
  if (fix.kind === 'stop-vm') return null;
  if (fix.kind === 'iommu') {
    return (
      <button type="button" className="button" onClick={() => w.openIommu('enable')}>
        IOMMU boot settings…
      </button>
    );
  }
  return (
    <button type="button" className="button" onClick={() => w.openAssign(fix.address, { wholeGroup: fix.wholeGroup })}>
      {fix.wholeGroup ? `Assign the group of ${fix.address} to vfio-pci…` : `Assign ${fix.address} to vfio-pci…`}
    </button>
  );
}

function CheckRows({ checks, newDisk }: { checks: VmCheckView[]; newDisk: boolean }) {
  return (
    <ul className="check-list" aria-label="Checks">
      {checks.map((c) => {
        // The new image does not exist until the profile is saved: that is expected here.
        const pending = newDisk && c.id === 'disk0' && c.status === 'fail';
        const status = pending ? 'pass' : c.status;

        return (
          <li key={c.id} className={`check check--${status}`} data-check={c.id}>
            <StatusIcon status={status} />
            <div>
              <p className="check__title">{c.title}</p>
              <p className="check__detail">{pending ? 'A new qcow2 image will be created here when you save.' : c.detail}</p>
              {!pending && c.remedy && (
                <p className="check__remedy">
                  <strong>What to do:</strong> {c.remedy}
                </p>
              )}
              {!pending && c.fix && <FixButton fix={c.fix} />}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

function accelWords(preview: VmPreview): string {
  const host = preview.against ? (preview.against.hostname ?? "the snapshot's host") : null;
  if (host) {
    return preview.accel === 'kvm'
      ? `KVM acceleration on ${host}: /dev/kvm was usable there when the snapshot was taken.`
      : `No KVM acceleration on ${host} as captured: qemu would emulate the CPU (TCG), which is much slower.`;
  }
  return preview.accel === 'kvm' ? 'KVM acceleration: /dev/kvm is usable.' : 'No KVM acceleration: qemu emulates the CPU (TCG), which is much slower.';
}

export function NewVmWizard({ taken, onClose }: { taken: string[]; onClose: () => void }) {
  const formId = useId();
  const [step, setStep] = useState<Step>('settings');
  const [values, setValues] = useState<VmFormValues>(initialVmForm);
  const [diskMode, setDiskMode] = useState<DiskMode>('none');
  const [diskSize, setDiskSize] = useState('20');
  const [preview, setPreview] = useState<VmPreview | null>(null);
  const [profile, setProfile] = useState<VmProfile | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<DisplayError | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);

  const effective: VmFormValues = diskMode === 'none' ? { ...values, disk: '' } : { ...values, diskFormat: diskMode === 'new' ? 'qcow2' : values.diskFormat };
  const problems = vmFormProblems(effective, taken);
  const diskOk = diskMode === 'none' || (effective.disk.trim() !== '' && (diskMode === 'existing' || (/^\d+$/.test(diskSize) && Number(diskSize) >= 1)));
  const next = diskOk ? profileFrom(effective, taken, new Date()) : null;

  const check = async (p: VmProfile) => {
    setBusy('Checking…');
    setError(null);
    try {
      setPreview(await getApi().vmPreview({ profile: p }));
      setProfile(p);
      setStep('preview');
    } catch (err) {
      setError(toDisplayError(err));
    } finally {
      setBusy(null);
    }
  };

  const save = async (start: 'no' | 'paused' | 'running') => {
    if (!profile) return;
    setBusy(start === 'no' ? 'Saving…' : 'Saving and starting…');
    setError(null);
    const api = getApi();
    try {
      if (diskMode === 'new' && profile.disks[0]) await api.vmCreateDisk({ path: profile.disks[0].path, sizeGiB: Number(diskSize) });
      await api.vmCreate({ profile });
      let said = preview?.against
        ? `Saved ${profile.name}, marked as made against the snapshot of ${preview.against.hostname ?? 'another host'}. Start it from the VMs page once back on the live host.`
        : `Saved ${profile.name}.`;
      if (start !== 'no') {
        const status = await api.vmStart({ name: profile.name, paused: start === 'paused' });
        said += ` Started (pid ${status.pid ?? '?'}, ${status.state === 'prelaunch' ? 'paused before boot' : status.state}).`;
      }
      setOutcome(said);
      setStep('done');
    } catch (err) {
      setError(toDisplayError(err));
    } finally {
      setBusy(null);
      void vmStore.getState().load();
    }
  };

  const failed = preview?.checks.some((c) => c.status === 'fail' && !(diskMode === 'new' && c.id === 'disk0')) ?? false;
  // Why the start buttons are off, said beside them before anyone clicks.
  const startOff = preview?.startRefused ?? (failed ? 'A check above fails: fix it, then "Check again".' : null);
  const startOffId = useId();
  const steps = ['Settings', 'Preview', 'Saved'];
  const current = step === 'settings' ? 0 : step === 'preview' ? 1 : 2;

  return (
    <WizardFrame
      title="New VM"
      steps={steps}
      current={current}
      onCancel={() => {
        if (!busy) onClose();
      }}
      body={
        <>
          {step === 'settings' && (
            <SettingsForm
              formId={formId}
              values={values}
              setValues={setValues}
              problems={problems}
              diskMode={diskMode}
              setDiskMode={setDiskMode}
              diskSize={diskSize}
              setDiskSize={setDiskSize}
              onSubmit={() => next && void check(next)}
            />
          )}
          {step === 'preview' && preview && profile && (
            <div className="wizard__section">
              {preview.against && (
                <p className="notice notice--warn" data-testid="vm-preview-against">
                  {`Computed against the snapshot of ${preview.against.hostname ?? 'another host'}${preview.against.capturedAt ? ` (captured ${formatTimestamp(preview.against.capturedAt)})` : ''}: its devices, bridges and KVM. The VM would run on this machine, not there.`}
                </p>
              )}
              <p className={`notice ${preview.accel === 'kvm' ? 'notice--ok' : 'notice--warn'}`} role="note" data-testid="vm-preview-accel">
                {accelWords(preview)}
              </p>
              {preview.notes.map((n) => (
                <p key={n} className="muted small">
                  {n}
                </p>
              ))}
              <CheckRows checks={preview.checks} newDisk={diskMode === 'new'} />
              <p>
                <button type="button" className="button" disabled={busy !== null} onClick={() => void check(profile)}>
                  Check again
                </button>
              </p>
              <h3 className="subhead">The qemu command line</h3>
              <CodeBlock label="qemu command line" lines={[preview.shell]} />
              {startOff && (
                <p className="start-off" id={startOffId} data-testid="vm-start-off">
                  <strong>Start is off:</strong> {startOff}
                </p>
              )}
            </div>
          )}
          {step === 'done' && (
            <p className="notice notice--ok" role="status" data-testid="vm-wizard-outcome">
              {outcome}
            </p>
          )}
          {busy && <Loading>{busy}</Loading>}
          {error && <ErrorNotice error={error} title="The VM was not saved or started" />}
        </>
      }
      foot={
        <>
          {step === 'preview' && (
            <button type="button" className="button" disabled={busy !== null} onClick={() => setStep('settings')}>
              Back
            </button>
          )}
          <span className="wizard__spacer" />
          <button type="button" className="button" disabled={busy !== null} onClick={onClose}>
            {step === 'done' ? 'Close' : 'Cancel'}
          </button>
          {step === 'settings' && (
            <button type="submit" form={formId} className="button button--primary" disabled={next === null || busy !== null}>
              Check and preview
            </button>
          )}
          {step === 'preview' && (
            <>
              <button type="button" className={`button ${preview?.against ? 'button--primary' : ''}`} disabled={busy !== null} onClick={() => void save('no')}>
                {preview?.against ? 'Save (made against this snapshot)' : 'Save'}
              </button>
              <button
                type="button"
                className="button"
                disabled={busy !== null || startOff !== null}
                aria-describedby={startOff ? startOffId : undefined}
                onClick={() => void save('paused')}
              >
                Save and start paused
              </button>
              <button
                type="button"
                className={`button ${preview?.against ? '' : 'button--primary'}`}
                disabled={busy !== null || startOff !== null}
                aria-describedby={startOff ? startOffId : undefined}
                onClick={() => void save('running')}
              >
                Save and start
              </button>
            </>
          )}
        </>
      }
    />
  );
}
