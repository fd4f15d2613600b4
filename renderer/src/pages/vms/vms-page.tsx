/**
 * VMs: the saved profiles and the running qemu processes — state, uptime, CPU time, what the
 * guest sees on its PCI bus — with start (or start paused), pause/resume, shut down (the ACPI
 * power button, forced after a timeout), force stop, the console address, the qemu log and
 * the exports. "New VM…" opens the wizard. Force stop and Delete ask first, in the app's own
 * dialog, saying what is lost and what is kept.
 *
 * VMs run on this machine whatever host is shown. On a snapshot the page says so, the list is
 * still this machine's VMs (they can be paused, shut down, exported, deleted), "New VM…" is a
 * rehearsal against the snapshot, and Start is off with the reason beside it.
 */
import { useEffect, useId, useRef, useState, type RefObject } from 'react';
import type { ScanSource } from '#shared/model';
import type { VmProfile, VmStatus } from '#shared/vm';
import type { VmExport, VmSummary } from '#shared/vm-api';
import { getApi } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback';
import { Field, Page } from '../../components/page';
import { toDisplayError, type DisplayError } from '../../lib/display-error';
import { formatTimestamp } from '../../lib/format';
import { useVmStore, vmStore } from '../../stores/vm-store';
import { CodeBlock } from '../../wizards/common/plan-view';
import { NewVmWizard } from '../../wizards/vm/new-vm-wizard';
import { snapshotHost, useShownSnapshot } from './shown-source';
import { describeNic, formatSeconds, stateLabel } from './vm-words';

/** How often the list is refreshed while the page is open. */
const POLL_MS = 2000;
/** A graceful shutdown waits this long for the guest before forcing it off. */
const SHUTDOWN_TIMEOUT_S = 60;

type Busy = 'start' | 'start-paused' | 'pause' | 'resume' | 'shutdown' | 'force' | 'delete' | null;

function GuestDevices({ status }: { status: VmStatus }) {
  if (status.devices.length === 0) return <p className="muted">The guest's PCI bus could not be read.</p>;
  return (
    <table className="table table--compact" aria-label={`PCI devices in ${status.name}`}>
      <thead>
        <tr>
          <th scope="col">Slot</th>
          <th scope="col">ID</th>
          <th scope="col">Class</th>
          <th scope="col">Device</th>
          <th scope="col">MAC</th>
        </tr>
      </thead>
      <tbody>
        {status.devices.map((d) => (
          <tr key={`${d.bus}:${d.slot}.${d.function}`}>
            <td className="mono">{`${d.bus.toString(16).padStart(2, '0')}:${d.slot.toString(16).padStart(2, '0')}.${d.function}`}</td>
            <td className="mono">{`${d.vendorId}:${d.deviceId}`}</td>
            <td>{d.className ?? '—'}</td>
            <td className="mono">{d.qdevId ?? '—'}</td>
            <td className="mono">{d.mac ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Where a profile's NICs were chosen, when that was a snapshot. */
function MadeAgainst({ against }: { against: NonNullable<VmProfile['madeAgainst']> }) {
  const host = snapshotHost(against);
  return (
    <p className="vm-card__against small" data-testid="vm-made-against">
      {`Made against the snapshot of ${host}${against.capturedAt ? ` (captured ${formatTimestamp(against.capturedAt)})` : ''}: its NICs were chosen among ${host}'s devices and bridges. It runs on this machine, whose start checks compare them with this host.`}
    </p>
  );
}

/** Force stop: what it does to the guest, and the gentler way. */
function ForceStopDialog({ name, onConfirm, onCancel }: { name: string; onConfirm: () => void; onCancel: () => void }) {
  return (
    <ConfirmDialog title={`Force stop ${name}?`} confirmLabel={`Force stop ${name}`} cancelLabel="Keep it running" onConfirm={onConfirm} onCancel={onCancel}>
      <p>
        Force stop turns {name} off at once, like pulling its power plug. The guest gets no chance to shut down: whatever it has not yet written to its disks is lost, and its file
        systems may need a check at the next boot.
      </p>
      <p>"Shut down" asks the guest to power off cleanly instead.</p>
    </ConfirmDialog>
  );
}

/** Delete: the profile goes; the disk images and the ISO stay, named. */
function DeleteDialog({ profile, onConfirm, onCancel }: { profile: VmProfile; onConfirm: () => void; onCancel: () => void }) {
  const { name, disks, iso } = profile;
  return (
    <ConfirmDialog title={`Delete the VM ${name}?`} confirmLabel={`Delete VM ${name}`} onConfirm={onConfirm} onCancel={onCancel}>
      <p>
        This deletes {name}'s saved settings (its profile){profile.firmware === 'ovmf' ? ' and its UEFI variables (the boot entries its firmware stored)' : ''}. It cannot be
        undone.
      </p>
      {disks.length > 0 ? (
        <>
          <p>
            Its disk {disks.length === 1 ? 'image is' : 'images are'} kept, with everything on {disks.length === 1 ? 'it' : 'them'}:
          </p>
          <ul className="confirm-dialog__files">
            {disks.map((d) => (
              <li key={d.path} className="mono">
                {d.path}
              </li>
            ))}
          </ul>
          <p>
            Delete {disks.length === 1 ? 'it' : 'them'} yourself if you no longer need {disks.length === 1 ? 'it' : 'them'}.
          </p>
        </>
      ) : (
        <p>It has no disk image.</p>
      )}
      {iso && <p>The installer ISO {iso} is kept too.</p>}
    </ConfirmDialog>
  );
}

function VmCard({
  vm,
  snapshot,
  startOffId,
  onGone,
}: {
  vm: VmSummary;
  /** The snapshot on screen: Start is off (VMs run on this machine). */
  snapshot: ScanSource | null;
  /** The page's sentence saying why Start is off. */
  startOffId: string;
  /** The card is about to go (deleted): focus goes somewhere that stays. */
  onGone: () => void;
}) {
  const [busy, setBusy] = useState<Busy>(null);
  const [confirming, setConfirming] = useState<'force' | 'delete' | null>(null);
  const [error, setError] = useState<DisplayError | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [log, setLog] = useState<{ file: string; text: string } | null>(null);
  const [exported, setExported] = useState<VmExport | null>(null);
  const { name, profile, status } = vm;
  const running = status?.running ?? false;
  const state = status?.state ?? 'stopped';

  const act = (what: Exclude<Busy, null>, call: () => Promise<unknown>, done?: (v: unknown) => string | null) => async () => {
    setBusy(what);
    setError(null);
    setNote(null);
    try {
      const value = await call();
      setNote(done ? done(value) : null);
    } catch (err) {
      setError(toDisplayError(err));
    } finally {
      setBusy(null);
      void vmStore.getState().load();
    }
  };
  const api = getApi();
  const titleId = `vm-${name}-title`;

  return (
    <section className="vm-card" aria-labelledby={titleId} data-vm={name} data-state={state}>
      <div className="vm-card__head">
        <h2 id={titleId}>{name}</h2>
        <span className={`badge badge--${running ? (state === 'running' ? 'pass' : 'warn') : 'neutral'}`} data-testid="vm-state">
          {stateLabel(state)}
        </span>
      </div>
      {vm.problem && <p className="notice notice--warn">{vm.problem}</p>}
      {profile?.madeAgainst && <MadeAgainst against={profile.madeAgainst} />}
      {profile && (
        <dl className="fields fields--wide">
          <Field label="vCPUs, memory">{`${profile.cpus} × vCPU, ${profile.memoryMiB} MiB`}</Field>
          <Field label="Firmware, display">{`${profile.firmware === 'ovmf' ? 'UEFI (OVMF)' : 'BIOS (SeaBIOS)'}, ${profile.display === 'none' ? 'no display' : profile.display === 'vnc' ? 'VNC' : 'window'}`}</Field>
          <Field label="Disks">{profile.disks.map((d) => d.path).join(', ') || 'none'}</Field>
          <Field label="Installer ISO">{profile.iso ?? 'none'}</Field>
          <Field label="NICs">{profile.nics.map((n, i) => describeNic(name, n, i)).join('; ') || 'none (-net none)'}</Field>
          {running && status && (
            <>
              <Field label="Process">{`pid ${status.pid ?? '?'}, ${status.accel === 'kvm' ? 'KVM' : status.accel === 'tcg' ? 'TCG (emulated, slow)' : '?'}`}</Field>
              <Field label="Uptime, CPU time">{`${formatSeconds(status.uptimeSeconds)}, ${formatSeconds(status.cpuSeconds)}`}</Field>
              <Field label="Console">{status.vnc ? `VNC at ${status.vnc}` : profile.display === 'window' ? 'qemu window on this desktop' : 'none'}</Field>
            </>
          )}
        </dl>
      )}
      <div className="vm-card__actions" role="group" aria-label={`Actions for ${name}`}>
        {!running && profile && (
          <>
            <button
              type="button"
              className="button button--primary"
              disabled={busy !== null || snapshot !== null}
              aria-describedby={snapshot ? startOffId : undefined}
              onClick={act('start', () => api.vmStart({ name }))}
            >
              {busy === 'start' ? 'Starting…' : 'Start'}
            </button>
            <button
              type="button"
              className="button"
              disabled={busy !== null || snapshot !== null}
              aria-describedby={snapshot ? startOffId : undefined}
              onClick={act('start-paused', () => api.vmStart({ name, paused: true }))}
            >
              {busy === 'start-paused' ? 'Starting…' : 'Start paused'}
            </button>
          </>
        )}
        {running &&
          (state === 'running' ? (
            <button type="button" className="button" disabled={busy !== null} onClick={act('pause', () => api.vmPause({ name }))}>
              Pause
            </button>
          ) : (
            <button type="button" className="button" disabled={busy !== null} onClick={act('resume', () => api.vmResume({ name }))}>
              Resume
            </button>
          ))}
        {running && (
          <>
            <button
              type="button"
              className="button"
              disabled={busy !== null}
              onClick={act(
                'shutdown',
                () => api.vmStop({ name, timeoutSeconds: SHUTDOWN_TIMEOUT_S }),
                (r) => stopSentence(name, r as { how: string; notes: string[] }),
              )}
            >
              {busy === 'shutdown' ? `Shutting down (up to ${SHUTDOWN_TIMEOUT_S} s)…` : 'Shut down'}
            </button>
            <button type="button" className="button button--danger" disabled={busy !== null && busy !== 'shutdown'} onClick={() => setConfirming('force')}>
              Force stop…
            </button>
          </>
        )}
        <button type="button" className="button button--quiet" onClick={() => void api.vmLog({ name }).then(setLog, (err: unknown) => setError(toDisplayError(err)))}>
          Show log
        </button>
        {profile && (
          <>
            <button
              type="button"
              className="button button--quiet"
              onClick={() => void api.vmExport({ name, format: 'script' }).then(setExported, (err: unknown) => setError(toDisplayError(err)))}
            >
              Export script
            </button>
            <button
              type="button"
              className="button button--quiet"
              onClick={() => void api.vmExport({ name, format: 'libvirt' }).then(setExported, (err: unknown) => setError(toDisplayError(err)))}
            >
              Export libvirt XML
            </button>
          </>
        )}
        {!running && profile && (
          <button type="button" className="button button--quiet" disabled={busy !== null} onClick={() => setConfirming('delete')}>
            Delete…
          </button>
        )}
      </div>
      {confirming === 'force' && (
        <ForceStopDialog
          name={name}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            setConfirming(null);
            void act(
              'force',
              () => api.vmStop({ name, force: true }),
              (r) => stopSentence(name, r as { how: string; notes: string[] }),
            )();
          }}
        />
      )}
      {confirming === 'delete' && profile && (
        <DeleteDialog
          profile={profile}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            setConfirming(null);
            void act('delete', async () => {
              await api.vmDelete({ name });
              onGone();
            })();
          }}
        />
      )}
      <p className="muted small" role="status" data-testid="vm-note">
        {note}
      </p>
      {error && <ErrorNotice error={error} title={`VM ${name}`} />}
      {running && status && (
        <details className="vm-card__details">
          <summary>What the guest sees on its PCI bus ({status.devices.length})</summary>
          <GuestDevices status={status} />
        </details>
      )}
      {log && (
        <div>
          <h3 className="subhead">
            qemu log <span className="mono small">{log.file}</span>
          </h3>
          <CodeBlock label={`qemu log of ${name}`} lines={[log.text.trimEnd() || '(empty)']} />
        </div>
      )}
      {exported && (
        <div>
          <h3 className="subhead">{exported.format === 'script' ? 'Shell script' : 'libvirt domain XML'}</h3>
          <CodeBlock label={`${exported.format === 'script' ? 'script' : 'libvirt XML'} of ${name}`} lines={[exported.content.trimEnd()]} />
          <a
            className="button"
            download={exported.fileName}
            href={`data:${exported.format === 'script' ? 'text/x-shellscript' : 'application/xml'};charset=utf-8,${encodeURIComponent(exported.content)}`}
          >
            Save {exported.fileName}…
          </a>
        </div>
      )}
    </section>
  );
}

function stopSentence(name: string, r: { how: string; notes: string[] }): string {
  const words: Record<string, string> = {
    powerdown: 'shut down by its guest',
    quit: 'forced off (qemu quit)',
    sigterm: 'forced off (SIGTERM)',
    sigkill: 'killed (SIGKILL)',
    'not-running': 'was not running',
  };
  return [`${name} ${words[r.how] ?? r.how}.`, ...r.notes].join(' ');
}

/** On a snapshot: what this page is then, before anything else. */
function RehearsalNotice({ snapshot, startOffId }: { snapshot: ScanSource; startOffId: string }) {
  const host = snapshotHost(snapshot);
  return (
    <div className="notice notice--warn rehearsal" role="note" data-testid="vms-rehearsal">
      <p>
        <strong>VMs run on this machine, not on {host}.</strong> The app is showing a snapshot of {host}
        {snapshot.capturedAt ? ` (captured ${formatTimestamp(snapshot.capturedAt)})` : ''}: the VMs below are this machine's.
      </p>
      <p>
        "New VM…" is a rehearsal: it lists {host}'s network devices and bridges and previews the checks and the qemu command line against them; a profile saved now is marked as
        made against this snapshot.
      </p>
      <p id={startOffId}>
        <strong>Start is off</strong> while a snapshot is shown: go back to the live host to start a VM here. Running VMs can still be paused, shut down or stopped.
      </p>
    </div>
  );
}

export function VmsPage() {
  const status = useVmStore((s) => s.status);
  const vms = useVmStore((s) => s.vms);
  const error = useVmStore((s) => s.error);
  const [creating, setCreating] = useState(false);
  const snapshot = useShownSnapshot();
  const startOffId = useId();
  const newVm = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    void vmStore.getState().load();
    const timer = setInterval(() => void vmStore.getState().load(), POLL_MS);
    return () => clearInterval(timer);
  }, []);

  return (
    <Page title="VMs" lede="Virtual machines run by qemu on this machine: a NIC passed through, a virtio NIC on a bridge, or NAT.">
      {snapshot && <RehearsalNotice snapshot={snapshot} startOffId={startOffId} />}
      <p>
        <button ref={newVm} type="button" className="button button--primary" onClick={() => setCreating(true)}>
          New VM…
        </button>
      </p>
      {error && <ErrorNotice error={error} title="The VM list could not be read" />}
      {status === 'loading' && <Loading>Looking for VMs…</Loading>}
      {status === 'ready' && vms.length === 0 && <EmptyState title="No VMs yet">Create one with "New VM…": a name, memory, a disk or an installer ISO, and its NICs.</EmptyState>}
      {vms.map((vm) => (
        <VmCard key={vm.name} vm={vm} snapshot={snapshot} startOffId={startOffId} onGone={() => focusLater(newVm)} />
      ))}
      {creating && <NewVmWizard taken={vms.map((v) => v.name)} onClose={() => setCreating(false)} />}
    </Page>
  );
}

/** After the element that had focus goes away (a deleted card), focus lands on `target`. */
function focusLater(target: RefObject<HTMLElement | null>): void {
  setTimeout(() => target.current?.focus(), 0);
}
