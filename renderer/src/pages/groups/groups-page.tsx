/**
 * IOMMU groups: each group with its passthrough verdict (ready, assignable, shared, host-only,
 * blocked) and why in plain words naming the member, its members, and the kernel's VFIO
 * viability as a fact beside it. Filtered by verdict.
 */
import { memo, useMemo } from 'react';
import type { HostScan } from '#shared/model';
import { EmptyState } from '../../components/feedback';
import { Page } from '../../components/page';
import { useProgressiveCount } from '../../components/use-progressive';
import { ManagementBadge, PassthroughBadge } from '../../components/status';
import { explainGroup, type GroupExplanation } from '../../lib/group-verdict';
import { PASSTHROUGH_LABEL, PASSTHROUGH_MEANING, PASSTHROUGH_ORDER } from '../../lib/passthrough-words';
import { classTitle, deviceTitle, plural } from '../../lib/format';
import { indexScan, type ScanIndex } from '../../lib/scan-index';
import { uiStore, useUiStore, type GroupsFilter } from '../../stores/ui-store';

/** Memoized: long lists render in slices, and earlier slices should not re-render. */
const GroupCard = memo(function GroupCard({ g, index }: { g: GroupExplanation; index: ScanIndex }) {
  const titleId = `group-${g.id}-title`;
  const onHost = new Set(g.blockers.map((b) => b.address));
  const state = g.passthrough.state;
  return (
    <section className={`group-card group-card--${state}`} aria-labelledby={titleId} data-group-id={g.id} data-verdict={state} data-viable={g.viable}>
      <div className="group-card__head">
        <h2 id={titleId}>IOMMU group {g.id}</h2>
        <PassthroughBadge state={state} />
        <span className="muted">{plural(g.members.length, 'device', 'devices')}</span>
      </div>
      <ul className={state === 'blocked' ? 'hazards' : 'reasons'} aria-label={`Why group ${g.id} is ${PASSTHROUGH_LABEL[state].toLowerCase()}`}>
        {g.passthrough.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      {g.passthrough.joinedBy.length > 0 && (
        <div className="group-card__why">
          <h3 className="subhead">What keeps them together</h3>
          <ul aria-label={`What joins the devices of group ${g.id}`}>
            {g.passthrough.joinedBy.map((j) => (
              <li key={j}>{j}</li>
            ))}
          </ul>
          <h3 className="subhead">What you can do</h3>
          <ul aria-label={`Options for group ${g.id}`}>
            {g.passthrough.options.map((o) => (
              <li key={o}>{o}</li>
            ))}
          </ul>
          <p>
            <a
              className="link-target"
              href="#/topology"
              onClick={(e) => {
                e.preventDefault();
                uiStore.getState().navigate('topology');
              }}
            >
              See where group {g.id} sits in the topology
            </a>
          </p>
        </div>
      )}
      <p className="muted small">For VFIO right now: {g.viable ? 'usable as it is' : `not yet — ${g.blockers.map((b) => `${b.address} is on ${b.driver}`).join(', ')}`}.</p>
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
            <tr key={m.address} className={onHost.has(m.address) ? 'is-blocker' : undefined}>
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
                {m.hostNeeds.length > 0 && <span className="text-fail">Needed by this host</span>}
                {m.hostNeeds.length === 0 && onHost.has(m.address) && <span className="muted">On a host driver</span>}
                {m.isBridge && <span className="muted">Bridge (stays with the host)</span>}
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
  const explained = useMemo(() => [...scan.groups].sort((a, b) => a.id - b.id).map((g) => explainGroup(g, index)), [scan.groups, index]);
  const shown = explained.filter((g) => filter === 'all' || g.passthrough.state === filter);
  const count = (state: GroupsFilter) => explained.filter((g) => g.passthrough.state === state).length;
  const rendered = useProgressiveCount(shown.length);

  if (scan.groups.length === 0) {
    const check = scan.readiness.find((c) => c.id === 'iommu-enabled');
    return (
      <Page title="IOMMU groups">
        <EmptyState title="This host has no IOMMU groups, so no device can be passed through.">
          <p>
            The kernel puts devices into IOMMU groups only when an IOMMU (Intel VT-d or AMD-Vi) is switched on in the firmware and enabled by the kernel.
            {check?.detail ? ` ${check.detail}` : ''}
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
          {plural(explained.length, 'group', 'groups')}:{' '}
          {PASSTHROUGH_ORDER.filter((st) => count(st) > 0)
            .map((st) => `${count(st)} ${PASSTHROUGH_LABEL[st].toLowerCase()}`)
            .join(', ')}
          . A VM is given whole groups: the devices of a group go to it together.
        </p>
      }
    >
      <div className="toolbar">
        <div className="control">
          <label htmlFor="groups-filter">Show</label>
          <select id="groups-filter" value={filter} onChange={(e) => uiStore.getState().setGroupsFilter(e.target.value as GroupsFilter)}>
            <option value="all">All groups ({explained.length})</option>
            {PASSTHROUGH_ORDER.map((st) => (
              <option key={st} value={st}>
                {PASSTHROUGH_LABEL[st]} ({count(st)})
              </option>
            ))}
          </select>
        </div>
      </div>
      <dl className="legend small" aria-label="What the verdicts mean">
        {PASSTHROUGH_ORDER.map((st) => (
          <div key={st}>
            <dt>
              <PassthroughBadge state={st} />
            </dt>
            <dd>{PASSTHROUGH_MEANING[st]}</dd>
          </div>
        ))}
      </dl>
      <div className="group-list">
        {shown.slice(0, rendered).map((g) => (
          <GroupCard key={g.id} g={g} index={index} />
        ))}
        {shown.length === 0 && <EmptyState title="No group matches this filter." />}
      </div>
    </Page>
  );
}
