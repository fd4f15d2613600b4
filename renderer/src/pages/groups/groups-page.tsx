/**
 * IOMMU groups: each group with its members and a VFIO viability verdict. A non-viable
 * group says, in plain words, which member blocks it and why, and what handing it to a VM
 * would do to the host.
 */
import { memo, useMemo } from 'react';
import type { HostScan } from '../../../../shared/model';
import { EmptyState } from '../../components/feedback';
import { Page } from '../../components/page';
import { useProgressiveCount } from '../../components/use-progressive';
import { ManagementBadge, ViabilityBadge } from '../../components/status';
import { explainGroup, VIABILITY_RULE, type GroupExplanation } from '../../lib/group-verdict';
import { classTitle, deviceTitle, plural } from '../../lib/format';
import { indexScan, type ScanIndex } from '../../lib/scan-index';
import { uiStore, useUiStore, type GroupsFilter } from '../../stores/ui-store';

/** Memoized: long lists render in slices, and earlier slices should not re-render. */
const GroupCard = memo(function GroupCard({ g, index }: { g: GroupExplanation; index: ScanIndex }) {
  const titleId = `group-${g.id}-title`;
  const blocking = new Set(g.blockers.map((b) => b.address));
  return (
    <section
      className={`group-card ${g.viable ? '' : 'group-card--blocked'}`}
      aria-labelledby={titleId}
      data-group-id={g.id}
      data-viable={g.viable}
    >
      <div className="group-card__head">
        <h2 id={titleId}>IOMMU group {g.id}</h2>
        <ViabilityBadge viable={g.viable} />
        <span className="muted">{plural(g.members.length, 'device', 'devices')}</span>
      </div>
      <p className="group-card__verdict">{g.verdict}</p>
      {g.blockers.length > 0 && (
        <ul className="reasons" aria-label={`Why group ${g.id} is not viable`}>
          {g.blockers.map((b) => (
            <li key={b.address}>
              <span className="mono">{b.address}</span> is bound to <span className="mono">{b.driver}</span>;{' '}
              {VIABILITY_RULE}.
              {b.deviceName && <span className="muted"> ({b.deviceName})</span>}
            </li>
          ))}
        </ul>
      )}
      {g.hazards.length > 0 && (
        <ul className="hazards" aria-label={`Host risks in group ${g.id}`}>
          {g.hazards.map((h) => (
            <li key={h}>{h}</li>
          ))}
        </ul>
      )}
      <table className="table table--compact">
        <caption className="sr-only">Members of IOMMU group {g.id}</caption>
        <thead>
          <tr>
            <th scope="col">Address</th>
            <th scope="col">Device</th>
            <th scope="col">Class</th>
            <th scope="col">Driver</th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {g.members.map((m) => (
            <tr key={m.address} className={blocking.has(m.address) ? 'is-blocker' : undefined}>
              <td>
                <button
                  type="button"
                  className="link-button mono"
                  onClick={() => uiStore.getState().selectDevice(m.address, { navigate: true })}
                  aria-label={`${m.address} details`}
                >
                  {m.address}
                </button>
              </td>
              <td>
                {deviceTitle(m)}
                {m.vendorName && <span className="muted"> · {m.vendorName}</span>}
              </td>
              <td>{classTitle(m)}</td>
              <td className="mono">{m.driver ?? <span className="muted">none</span>}</td>
              <td>
                {blocking.has(m.address) && <span className="text-fail">Blocks the group</span>}
                {m.isBridge && <span className="muted">Bridge</span>}
                {index.managementDevices.has(m.address) && <ManagementBadge />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
});

export function GroupsPage({ scan }: { scan: HostScan }) {
  const filter = useUiStore((s) => s.groupsFilter);
  const index = indexScan(scan);
  const explained = useMemo(
    () => [...scan.groups].sort((a, b) => a.id - b.id).map((g) => explainGroup(g, index)),
    [scan.groups, index],
  );
  const shown = explained.filter((g) => filter === 'all' || (filter === 'viable') === g.viable);
  const blocked = explained.filter((g) => !g.viable).length;
  const rendered = useProgressiveCount(shown.length);

  if (scan.groups.length === 0) {
    const check = scan.readiness.find((c) => c.id === 'iommu-enabled');
    return (
      <Page title="IOMMU groups">
        <EmptyState title="This host has no IOMMU groups, so no device can be passed through.">
          <p>
            The kernel puts devices into IOMMU groups only when an IOMMU (Intel VT-d or AMD-Vi) is switched on in
            the firmware and enabled by the kernel.{check?.detail ? ` ${check.detail}` : ''}
          </p>
          <p>
            <strong>What to do:</strong>{' '}
            {check?.remedy ??
              'Enable VT-d / AMD-Vi (sometimes called "IOMMU") in the firmware setup, add intel_iommu=on (Intel) or amd_iommu=on (AMD) to the kernel command line, and reboot.'}
          </p>
        </EmptyState>
      </Page>
    );
  }

  return (
    <Page
      title="IOMMU groups"
      lede={
        <p>
          {plural(explained.length, 'group', 'groups')}; {blocked === 0 ? 'all are viable' : `${blocked} not viable`}.
          A VM can only be given a whole group: {VIABILITY_RULE}.
        </p>
      }
    >
      <div className="toolbar">
        <div className="control">
          <label htmlFor="groups-filter">Show</label>
          <select
            id="groups-filter"
            value={filter}
            onChange={(e) => uiStore.getState().setGroupsFilter(e.target.value as GroupsFilter)}
          >
            <option value="all">All groups ({explained.length})</option>
            <option value="not-viable">Not viable only ({blocked})</option>
            <option value="viable">Viable only ({explained.length - blocked})</option>
          </select>
        </div>
      </div>
      <div className="group-list">
        {shown.slice(0, rendered).map((g) => (
          <GroupCard key={g.id} g={g} index={index} />
        ))}
        {shown.length === 0 && <EmptyState title="No group matches this filter." />}
      </div>
    </Page>
  );
}
