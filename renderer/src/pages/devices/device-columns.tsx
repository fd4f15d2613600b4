/**
 * Column definitions for the Devices grid. Column ids are the sort keys of
 * lib/device-sort, so the header a user clicks and the ordering applied are the same thing.
 */
import { createColumnHelper, type ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import type { PciDevice } from '../../../../shared/model';
import { ManagementBadge } from '../../components/status';
import type { SortKey } from '../../lib/device-sort';
import { classTitle, formatSriov, NONE, vendorDeviceIds } from '../../lib/format';
import type { ScanIndex } from '../../lib/scan-index';

const col = createColumnHelper<PciDevice>();

/** Pixel widths, in column order; the grid's CSS template is built from these. */
export const COLUMN_WIDTHS: Record<SortKey, number> = {
  address: 124,
  name: 300,
  className: 190,
  ids: 96,
  driver: 110,
  driverOverride: 120,
  modules: 150,
  iommuGroup: 140,
  numaNode: 70,
  resetMethods: 110,
  sriov: 170,
  interfaces: 190,
};

export const COLUMN_LABELS: Record<SortKey, string> = {
  address: 'Address',
  name: 'Device',
  className: 'Class',
  ids: 'IDs',
  driver: 'Driver',
  driverOverride: 'Override',
  modules: 'Modules',
  iommuGroup: 'IOMMU group',
  numaNode: 'NUMA',
  resetMethods: 'Reset',
  sriov: 'SR-IOV',
  interfaces: 'Interfaces',
};

const muted = (text: string) => <span className="muted">{text}</span>;

function NameCell({ d }: { d: PciDevice }) {
  if (d.deviceName === null && d.vendorName === null) {
    return (
      <div className="cell-stack">
        <span className="mono">{vendorDeviceIds(d)}</span>
        {muted('Not in pci.ids')}
      </div>
    );
  }
  return (
    <div className="cell-stack">
      <span className="clip">{d.deviceName ?? `Device ${d.deviceId}`}</span>
      <span className="muted clip">
        {d.vendorName ?? `Vendor ${d.vendorId}`} <span className="mono">[{vendorDeviceIds(d)}]</span>
      </span>
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
        col.accessor((d) => vendorDeviceIds(d), {
          id: 'ids',
          header: COLUMN_LABELS.ids,
          cell: (c) => <span className="mono">{vendorDeviceIds(c.row.original)}</span>,
        }),
        col.accessor('driver', {
          id: 'driver',
          header: COLUMN_LABELS.driver,
          cell: (c) => (c.row.original.driver ? <span className="mono">{c.row.original.driver}</span> : muted('none')),
        }),
        col.accessor('driverOverride', {
          id: 'driverOverride',
          header: COLUMN_LABELS.driverOverride,
          cell: (c) => c.row.original.driverOverride ?? muted(NONE),
        }),
        col.accessor((d) => d.modules.join(', '), {
          id: 'modules',
          header: COLUMN_LABELS.modules,
          cell: (c) => (c.row.original.modules.length ? <span className="clip2">{c.row.original.modules.join(', ')}</span> : muted(NONE)),
        }),
        col.accessor('iommuGroup', {
          id: 'iommuGroup',
          header: COLUMN_LABELS.iommuGroup,
          cell: (c) => {
            const id = c.row.original.iommuGroup;
            if (id === null) return muted('none');
            const viable = index.groupById.get(id)?.viable ?? true;
            return (
              <div className="cell-stack">
                <span>{id}</span>
                {!viable && <span className="text-fail small">not viable</span>}
              </div>
            );
          },
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
            return m && m.length ? m.join(', ') : muted(m === null ? 'unknown' : 'none');
          },
        }),
        col.accessor((d) => formatSriov(d), {
          id: 'sriov',
          header: COLUMN_LABELS.sriov,
          cell: (c) => {
            const d = c.row.original;
            if (d.sriov) return formatSriov(d);
            if (d.physfn)
              return (
                <span>
                  VF of <span className="mono">{d.physfn}</span>
                </span>
              );
            return muted(NONE);
          },
        }),
        col.accessor((d) => d.interfaces.join(', '), {
          id: 'interfaces',
          header: COLUMN_LABELS.interfaces,
          cell: (c) => {
            const d = c.row.original;
            if (!d.interfaces.length) return muted(NONE);
            return (
              <div className="cell-stack">
                <span className="mono clip">{d.interfaces.join(', ')}</span>
                {index.managementDevices.has(d.address) && <ManagementBadge />}
              </div>
            );
          },
        }),
      ] as ColumnDef<PciDevice, unknown>[],
    [index],
  );
}
