/**
 * Devices: every PCI function in a sortable, filterable, virtualized grid, with a detail
 * panel for the selected one. Filtering and sorting are the pure functions in lib/; the
 * table library holds the column model and sort state.
 */
import { getCoreRowModel, useReactTable, type SortingState, type Updater } from '@tanstack/react-table';
import { useMemo, useRef } from 'react';
import type { HostScan } from '../../../../shared/model';
import { EmptyState } from '../../components/feedback';
import { Page } from '../../components/page';
import { filterDevices } from '../../lib/device-filter';
import { buildGridItems } from '../../lib/device-rows';
import { sortByAddress, sortDevices, type SortKey } from '../../lib/device-sort';
import { indexScan } from '../../lib/scan-index';
import { uiStore, useUiStore, type DeviceSort } from '../../stores/ui-store';
import { useDeviceColumns } from './device-columns';
import { DeviceDetail } from './device-detail';
import { DeviceGrid } from './device-grid';
import { DevicesToolbar } from './devices-toolbar';

export function DevicesPage({ scan }: { scan: HostScan }) {
  const filters = useUiStore((s) => s.filters);
  const sort = useUiStore((s) => s.sort);
  const groupByIommu = useUiStore((s) => s.groupByIommu);
  const selected = useUiStore((s) => s.selectedDevice);
  const index = indexScan(scan);
  const columns = useDeviceColumns(index);
  // Focus moves into the panel only when the user opened it here, not on page load.
  const focusPanel = useRef(false);
  const gridRef = useRef<HTMLDivElement>(null);

  const byAddress = useMemo(() => sortByAddress(scan.devices), [scan.devices]);
  const filtered = useMemo(() => filterDevices(byAddress, filters), [byAddress, filters]);
  const sorted = useMemo(() => {
    const s = sort[0];
    return s ? sortDevices(filtered, s.id, s.desc) : filtered;
  }, [filtered, sort]);
  const items = useMemo(() => buildGridItems(sorted, groupByIommu, index.groupById), [sorted, groupByIommu, index]);

  const onSortingChange = (updater: Updater<SortingState>) => {
    const next = typeof updater === 'function' ? updater(sort) : updater;
    uiStore.getState().setSort(next.slice(0, 1).map((s): DeviceSort => ({ id: s.id as SortKey, desc: s.desc })));
  };
  const table = useReactTable({
    data: sorted,
    columns,
    state: { sorting: sort },
    onSortingChange,
    manualSorting: true,
    enableMultiSort: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (d) => d.address,
  });

  const open = (address: string) => {
    focusPanel.current = true;
    uiStore.getState().selectDevice(address);
  };
  const close = () => {
    uiStore.getState().selectDevice(null);
    // Hand focus back to the grid's active row.
    requestAnimationFrame(() => gridRef.current?.querySelector<HTMLElement>('[role="row"][tabindex="0"]')?.focus());
  };

  return (
    <Page
      title="Devices"
      className="page--fill devices"
      lede="In the table, Enter opens a device's details and A opens “Assign to VFIO…” (or “Give back…” for a device on vfio-pci)."
    >
      <DevicesToolbar devices={scan.devices} filters={filters} groupByIommu={groupByIommu} shown={filtered.length} />
      <div className={`devices__body ${selected ? 'has-detail' : ''}`}>
        <div className="devices__grid" ref={gridRef}>
          {items.length ? (
            <DeviceGrid table={table} items={items} selected={selected} onOpen={open} />
          ) : (
            <EmptyState title={scan.devices.length ? 'No device matches these filters.' : 'The scan found no PCI devices.'}>
              {scan.devices.length > 0 && (
                <button type="button" className="button" onClick={() => uiStore.getState().clearFilters()}>
                  Show all devices
                </button>
              )}
            </EmptyState>
          )}
        </div>
        {selected && (
          <DeviceDetail
            scan={scan}
            address={selected}
            onSelect={open}
            onClose={close}
            focusOnOpen={focusPanel.current}
          />
        )}
      </div>
    </Page>
  );
}
