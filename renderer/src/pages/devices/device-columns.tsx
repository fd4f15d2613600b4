/**
 * Column definitions for the Devices grid. Column ids are the sort keys of lib/device-sort and
 * the ids of lib/device-columns (labels, widths, which are shown), so the header a user clicks,
 * the ordering applied and the chooser's checkbox are the same thing.
 */
import { createColumnHelper, type ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import type { PciDevice } from '#shared/model';
import { ManagementBadge, PassthroughBadge } from '../../components/status';
import { COLUMN_LABELS, isManagementDevice, sriovSummary } from '../../lib/device-columns';
import { deviceVerdict, NO_GROUP_WORDS } from '../../lib/device-verdict';
import { classTitle, NONE, vendorDeviceIds } from '../../lib/format';
import type { ScanIndex } from '../../lib/scan-index';

const col = createColumnHelper<PciDevice>();

const muted = (text: string) => <span className="muted">{text}</span>;

/** Name and vendor; the IDs have their own column (in the chooser). */
function NameCell({ d }: { d: PciDevice }) {
  if (d.deviceName === null && d.vendorName === null) {
    return (
      <div className="cell-stack">
        <span className="mono clip">{vendorDeviceIds(d)}</span>
        {muted('Not in pci.ids')}
      </div>
    );
  }
  return (
    <div className="cell-stack">
      <span className="clip">{d.deviceName ?? `Device ${d.deviceId}`}</span>
      <span className="muted clip">{d.vendorName ?? `Vendor ${d.vendorId}`}</span>
    </div>
  );
}

export function useDeviceColumns(index: ScanIndex): ColumnDef<PciDevice, unknown>[] {
  return useMemo(
    () =>
      [
        col.accessor('address', {
          id: 'address',
          header: COLUMN_LABELS.address,
          cell: (c) => <span className="mono">{c.row.original.address}</span>,
        }),
        col.accessor((d) => d.deviceName ?? d.vendorName, {
          id: 'name',
          header: COLUMN_LABELS.name,
          cell: (c) => <NameCell d={c.row.original} />,
        }),
        col.accessor('driver', {
          id: 'driver',
          header: COLUMN_LABELS.driver,
          cell: (c) => (c.row.original.driver ? <span className="mono clip">{c.row.original.driver}</span> : muted('none')),
        }),
        col.accessor((d) => deviceVerdict(d, index.groupById), {
          id: 'verdict',
          header: COLUMN_LABELS.verdict,
          cell: (c) => {
            const v = deviceVerdict(c.row.original, index.groupById);
            return v ? <PassthroughBadge state={v} /> : muted(NO_GROUP_WORDS);
          },
        }),
        col.accessor((d) => d.interfaces.join(', '), {
          id: 'interfaces',
          header: COLUMN_LABELS.interfaces,
          cell: (c) => {
            const d = c.row.original;
            const management = isManagementDevice(d, index);
            if (!d.interfaces.length && !management) return muted(NONE);
            return (
              <div className="cell-stack">
                {d.interfaces.length > 0 && <span className="mono clip">{d.interfaces.join(', ')}</span>}
                {management && <ManagementBadge />}
              </div>
            );
          },
        }),
        col.accessor((d) => d.sriov?.numVfs ?? d.physfn, {
          id: 'sriov',
          header: COLUMN_LABELS.sriov,
          cell: (c) => {
            const s = sriovSummary(c.row.original);
            if (!s) return muted(NONE);
            if (s.kind === 'pf') return <span className="clip">{s.text}</span>;
            return (
              <span className="clip">
                VF of <span className="mono">{s.pf}</span>
              </span>
            );
          },
        }),
        col.accessor('iommuGroup', {
          id: 'iommuGroup',
          header: COLUMN_LABELS.iommuGroup,
          cell: (c) => c.row.original.iommuGroup ?? muted('none'),
        }),
        col.accessor((d) => vendorDeviceIds(d), {
          id: 'ids',
          header: COLUMN_LABELS.ids,
          cell: (c) => <span className="mono">{vendorDeviceIds(c.row.original)}</span>,
        }),
        col.accessor((d) => d.className, {
          id: 'className',
          header: COLUMN_LABELS.className,
          cell: (c) => (
            <div className="cell-stack">
              <span className="clip">{classTitle(c.row.original)}</span>
              {muted(c.row.original.classId)}
            </div>
          ),
        }),
        col.accessor('driverOverride', {
          id: 'driverOverride',
          header: COLUMN_LABELS.driverOverride,
          cell: (c) => (c.row.original.driverOverride ? <span className="mono clip">{c.row.original.driverOverride}</span> : muted(NONE)),
        }),
        col.accessor((d) => d.modules.join(', '), {
          id: 'modules',
          header: COLUMN_LABELS.modules,
          cell: (c) => (c.row.original.modules.length ? <span className="clip2">{c.row.original.modules.join(', ')}</span> : muted(NONE)),
        }),
        col.accessor('numaNode', {
          id: 'numaNode',
          header: COLUMN_LABELS.numaNode,
          cell: (c) => c.row.original.numaNode ?? muted(NONE),
        }),
        col.accessor((d) => d.resetMethods?.join(', '), {
          id: 'resetMethods',
          header: COLUMN_LABELS.resetMethods,
          cell: (c) => {
            const m = c.row.original.resetMethods;
            return m && m.length ? <span className="clip2">{m.join(', ')}</span> : muted(m === null ? 'unknown' : 'none');
          },
        }),
      ] as ColumnDef<PciDevice, unknown>[],
    [index],
  );
}
