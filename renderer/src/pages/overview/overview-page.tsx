/**
 * Overview: can this host do passthrough at all? The readiness checklist first (each line
 * pass/warn/fail with what was found and what to do), then the facts it is based on.
 */
import type { HostScan, ReadinessCheck } from '#shared/model';
import { Field, Page } from '../../components/page';
import { StatusBadge } from '../../components/status';
import { formatBool, iommuModeLabel, iommuVendorLabel, virtualizationLabel } from '../../lib/format';
import { overallStatus, readinessSummary } from '../../lib/readiness';
import type { PageId } from '../../lib/route';
import { uiStore } from '../../stores/ui-store';
import { wizardStore } from '../../stores/wizard-store';
import { IommuSection } from './iommu-section';
import { PASSTHROUGH_LABEL } from '../../lib/passthrough-words';

function Checklist({ checks }: { checks: readonly ReadinessCheck[] }) {
  return (
    <ul className="checklist">
      {checks.map((c) => (
        <li key={c.id} className={`check check--${c.status}`} data-check={c.id} data-status={c.status}>
          <div className="check__head">
            <h3>{c.title}</h3>
            <StatusBadge status={c.status} />
          </div>
          <p className="check__detail">{c.detail}</p>
          {c.remedy && (
            <p className="check__remedy">
              <strong>What to do:</strong> {c.remedy}
            </p>
          )}
          {c.status === 'fail' && (c.id === 'iommu-enabled' || c.id === 'kernel-cmdline') && (
            <p>
              <button type="button" className="button" onClick={() => wizardStore.getState().openIommu()} aria-label={`IOMMU boot settings… (${c.title})`}>
                IOMMU boot settings…
              </button>
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}

function Stat({ value, label, page }: { value: number; label: string; page: PageId }) {
  return (
    <a
      className="stat"
      href={`#/${page}`}
      onClick={(e) => {
        e.preventDefault();
        uiStore.getState().navigate(page);
      }}
    >
      <span className="stat__value">{value}</span>
      <span className="stat__label">{label}</span>
    </a>
  );
}

export function OverviewPage({ scan }: { scan: HostScan }) {
  const { host } = scan;
  const summary = readinessSummary(scan.readiness);
  const overall = overallStatus(scan.readiness);
  const nics = scan.devices.filter((d) => d.classId.startsWith('02')).length;
  const sriov = scan.devices.filter((d) => d.sriov).length;
  const verdicts = (['ready', 'assignable', 'shared', 'blocked'] as const).map((state) => ({ state, n: scan.groups.filter((g) => g.passthrough.state === state).length }));
  const kvm = host.kvm ? (host.kvmAccessible === false ? 'Present, but you cannot open it' : host.kvmAccessible ? 'Present and accessible' : 'Present') : 'Missing';

  return (
    <Page title="Overview" className="overview">
      <section aria-labelledby="readiness-title" className="section">
        <h2 id="readiness-title">Readiness</h2>
        <p className={`summary summary--${overall}`}>
          <StatusBadge status={overall} /> {summary}
        </p>
        <Checklist checks={scan.readiness} />
      </section>

      <IommuSection scan={scan} />

      <section aria-labelledby="glance-title" className="section">
        <h2 id="glance-title">At a glance</h2>
        <div className="stats">
          <Stat value={scan.devices.length} label="PCI functions" page="devices" />
          <Stat value={nics} label="network functions" page="network" />
          <Stat value={sriov} label="SR-IOV capable" page="network" />
          <Stat value={scan.groups.length} label="IOMMU groups" page="groups" />
          {scan.groups.length > 0 &&
            verdicts.map(({ state, n }) => <Stat key={state} value={n} label={`${PASSTHROUGH_LABEL[state].toLowerCase()} group${n === 1 ? '' : 's'}`} page="groups" />)}
        </div>
      </section>

      <section aria-labelledby="host-title" className="section">
        <h2 id="host-title">Host</h2>
        <dl className="fields fields--wide">
          <Field label="Host name">{scan.source.hostname}</Field>
          <Field label="Kernel">{host.kernel}</Field>
          <Field label="CPU">{[host.cpu.modelName, host.cpu.vendor ? `(${host.cpu.vendor})` : null].filter(Boolean).join(' ')}</Field>
          <Field label="CPU virtualization">{virtualizationLabel(host.cpu.virtualization)}</Field>
          <Field label="/dev/kvm">{kvm}</Field>
          <Field label="IOMMU">{host.iommu.enabled ? `On — ${iommuVendorLabel(host.iommu.vendor)}` : 'Off'}</Field>
          <Field label="IOMMU units">{host.iommu.units.join(', ')}</Field>
          <Field label="IOMMU mode">{iommuModeLabel(host.iommu.mode)}</Field>
          <Field label="IOMMU groups">{host.iommu.groupCount}</Field>
          <Field label="Interrupt remapping">{formatBool(host.iommu.interruptRemapping, 'Active', 'Not active')}</Field>
          <Field label="VFIO modules loaded">{host.vfio.loaded.length ? host.vfio.loaded.join(', ') : 'None'}</Field>
          <Field label="VFIO modules available">{host.vfio.available.length ? host.vfio.available.join(', ') : 'None'}</Field>
          <Field label="Unsafe interrupts allowed">{formatBool(host.vfio.unsafeInterrupts)}</Field>
          <Field label="IOMMU kernel arguments">{host.iommu.cmdlineArgs.length ? host.iommu.cmdlineArgs.join(' ') : 'None'}</Field>
        </dl>
        <h3 className="subhead">Kernel command line</h3>
        <pre className="cmdline" data-testid="cmdline">
          {host.cmdline ?? 'Unknown'}
        </pre>
      </section>
    </Page>
  );
}
