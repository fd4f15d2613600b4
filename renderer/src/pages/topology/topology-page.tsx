/**
 * Topology: the PCI tree (root bus → bridges → functions) with IOMMU groups drawn as
 * coloured boxes, plus a legend and the same tree as text for screen readers and copying.
 */
import { useMemo } from 'react';
import type { HostScan } from '#shared/model';
import { DeviceActions } from '../../components/device-actions';
import { Page } from '../../components/page';
import { deviceTitle, plural } from '../../lib/format';
import { buildPciTree, type PciTreeNode } from '../../lib/pci-tree';
import { layoutTopology } from '../../lib/topology-layout';
import { uiStore } from '../../stores/ui-store';
import { TopologySvg } from './topology-svg';

function Legend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <svg width="34" height="20" aria-hidden="true" className="legend__swatch">
          <rect x="1" y="1" width="32" height="18" rx="4" className="topo-legend-group" />
        </svg>
        Coloured box: one IOMMU group (its number is written in the box)
      </li>
      <li>
        <svg width="34" height="20" aria-hidden="true" className="legend__swatch">
          <rect x="1" y="1" width="32" height="18" rx="4" className="topo-legend-blocked" />
        </svg>
        Red dashed border and “blocked”: the group holds something this host cannot give up
      </li>
      <li>The word after the group number is its verdict: ready, assignable, shared, blocked or host only.</li>
      <li>
        <svg width="34" height="20" aria-hidden="true" className="legend__swatch">
          <rect x="1" y="1" width="32" height="18" rx="3" className="topo-legend-bridge" />
        </svg>
        Thick outline: a bridge or root bus
      </li>
      <li>
        <svg width="34" height="20" aria-hidden="true" className="legend__swatch">
          <rect x="1" y="1" width="32" height="18" rx="3" className="topo-legend-blocker" />
        </svg>
        Red outline: the function this host needs (its management NIC, a mounted disk, the display)
      </li>
    </ul>
  );
}

function TextTree({ nodes }: { nodes: PciTreeNode[] }) {
  return (
    <ul>
      {nodes.map((n) => (
        <li key={n.device.address}>
          <button type="button" className="link-button mono" onClick={() => uiStore.getState().selectDevice(n.device.address, { navigate: true })}>
            {n.device.address}
          </button>{' '}
          {deviceTitle(n.device)}{' '}
          <span className="muted">
            · {n.device.driver ?? 'no driver'} · {n.device.iommuGroup === null ? 'no IOMMU group' : `group ${n.device.iommuGroup}`}
          </span>
          {!n.device.isBridge && (
            <>
              {' '}
              <DeviceActions device={n.device} withAddress compact />
            </>
          )}
          {n.children.length > 0 && <TextTree nodes={n.children} />}
        </li>
      ))}
    </ul>
  );
}

export function TopologyPage({ scan }: { scan: HostScan }) {
  const layout = useMemo(() => layoutTopology(scan.devices, scan.groups), [scan.devices, scan.groups]);
  const tree = useMemo(() => buildPciTree(scan.devices), [scan.devices]);
  const blocked = scan.groups.filter((g) => g.passthrough.state === 'blocked').length;
  const label = `PCI topology: ${plural(scan.devices.length, 'function', 'functions')} under ${plural(tree.length, 'root bus', 'root buses')}, ${plural(scan.groups.length, 'IOMMU group', 'IOMMU groups')}`;
  const description =
    scan.groups.length === 0
      ? 'No IOMMU groups: the IOMMU is off.'
      : `${blocked === 0 ? 'No group is blocked' : `${plural(blocked, 'group is', 'groups are')} blocked by what this host needs`}. Each function is a link to its details; the same tree is available as text below the picture.`;

  return (
    <Page
      title="Topology"
      className="topology"
      lede={<p>Each row is a PCI function, indented under the bridge it sits behind. Functions of one IOMMU group share a box: a VM can only be given the whole box.</p>}
    >
      <Legend />
      {scan.groups.length === 0 && <p className="note">No IOMMU groups on this host (the IOMMU is off), so no boxes are drawn.</p>}
      <div className="topo-scroll" role="region" aria-label="Topology picture" tabIndex={0}>
        <TopologySvg layout={layout} label={label} description={description} />
      </div>
      <details className="topo-text">
        <summary>Topology as text</summary>
        {tree.map((r) => (
          <div key={r.rootBus}>
            <h2 className="subhead">Root bus {r.rootBus}</h2>
            <TextTree nodes={r.children} />
          </div>
        ))}
      </details>
    </Page>
  );
}
