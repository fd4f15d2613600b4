/**
 * Devices: every PCI function in a sortable, filterable, virtualized grid, with a detail
 * panel for the selected one. Filtering and sorting are the pure functions in lib/; the
 * table library holds the column model, which columns show and the sort state.
 */
import { getCoreRowModel, useReactTable, type SortingState, type Updater } from '@tanstack/react-table';
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { HostScan, PciDevice } from '#shared/model';
import { openDeviceAction } from '../../components/device-actions';
import { EmptyState } from '../../components/feedback';
import { Page } from '../../components/page';
import { columnVisibility } from '../../lib/device-columns';
import { filterDevices } from '../../lib/device-filter';
import { buildGridItems } from '../../lib/device-rows';
import { sortByAddress, sortDevices, type SortKey } from '../../lib/device-sort';
import { deviceVerdict } from '../../lib/device-verdict';
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
  const chosenColumns = useUiStore((s) => s.deviceColumns);
  const index = indexScan(scan);
  const columns = useDeviceColumns(index);
  const visibility = useMemo(() => columnVisibility(chosenColumns), [chosenColumns]);
  // Focus moves into the panel only when the user opened it here, not on page load.
  const focusPanel = useRef(false);
  const gridRef = useRef<HTMLDivElement>(null);
  const detailRef = useRef<HTMLDivElement>(null);
  // Said (politely) when the open device's details closed because the scan no longer has it.
  const vanished = useUiStore((s) => s.vanishedDevice);
  // Said (politely) when the A key asks for an action the device cannot take, and why.
  const [refusal, setRefusal] = useState<string | null>(null);

  const verdictOf = useMemo(() => (d: PciDevice) => deviceVerdict(d, index.groupById), [index]);
  const byAddress = useMemo(() => sortByAddress(scan.devices), [scan.devices]);
  const filtered = useMemo(() => filterDevices(byAddress, filters, verdictOf), [byAddress, filters, verdictOf]);
  const sorted = useMemo(() => {
    const s = sort[0];
    return s ? sortDevices(filtered, s.id, s.desc, index) : filtered;
  }, [filtered, sort, index]);
  const items = useMemo(() => buildGridItems(sorted, groupByIommu, index.groupById), [sorted, groupByIommu, index]);

  const onSortingChange = (updater: Updater<SortingState>) => {
    const next = typeof updater === 'function' ? updater(sort) : updater;
    uiStore.getState().setSort(next.slice(0, 1).map((s): DeviceSort => ({ id: s.id as SortKey, desc: s.desc })));
  };
  const table = useReactTable({
    data: sorted,
    columns,
    state: { sorting: sort, columnVisibility: visibility },
    onSortingChange,
    manualSorting: true,
    enableMultiSort: false,
    // Every column sorts ascending first (the verdict from ready to host-only, numbers upwards).
    sortDescFirst: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (d) => d.address,
  });

  /** Hands focus back to the grid's active row; with no rows, to its "Show all devices" or the search box. */
  const focusGrid = () =>
    requestAnimationFrame(() => {
      const grid = gridRef.current;
      const target = grid?.querySelector<HTMLElement>('[role="row"][tabindex="0"]') ?? grid?.querySelector<HTMLElement>('button') ?? document.getElementById('device-search');
      target?.focus({ preventScroll: true });
    });

  const act = (device: PciDevice) => {
    const why = openDeviceAction(device, index);
    setRefusal(why && `${device.address}: “${device.driver === 'vfio-pci' ? 'Give back…' : 'Assign to VFIO…'}” is not available. ${why}`);
  };

  const open = (address: string) => {
    setRefusal(null);
    focusPanel.current = true;
    uiStore.getState().selectDevice(address);
  };
  const close = () => {
    uiStore.getState().selectDevice(null);
    focusGrid();
  };

  // The open device is no longer in the scan (another source was opened, or it was removed):
  // close its details before they are painted. Focus that was in the panel, or that is nowhere
  // (the header's "Open snapshot…" is disabled while it works, which drops focus), goes to the
  // grid; focus anywhere else stays where it is.
  const gone = selected !== null && !index.deviceByAddress.has(selected);
  useLayoutEffect(() => {
    if (!gone || selected === null) return;
    const active = document.activeElement;
    const focusWasInPanel = !active || active === document.body || (detailRef.current?.contains(active) ?? false);
    uiStore.getState().deviceVanished(selected);
    if (focusWasInPanel) focusGrid();
  }, [gone, selected]);

  return (
    <Page
      title="Devices"
      className="page--fill devices"
      lede="In the table, Enter opens a device's details and A opens “Assign to VFIO…” (or “Give back…” for a device on vfio-pci)."
    >
      <DevicesToolbar devices={scan.devices} groupById={index.groupById} filters={filters} groupByIommu={groupByIommu} shown={filtered.length} />
      <p className={vanished || refusal ? 'devices__note' : 'sr-only'} role="status" data-testid="devices-note">
        {refusal ?? (vanished && `${vanished} is not in this scan, so its details were closed.`)}
      </p>
      <div className={`devices__body ${selected && !gone ? 'has-detail' : ''}`}>
        <div className="devices__grid" ref={gridRef}>
          {items.length ? (
            <DeviceGrid table={table} items={items} selected={selected} onOpen={open} onAction={act} />
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
          <div className="devices__detail" ref={detailRef}>
            <DeviceDetail scan={scan} address={selected} onSelect={open} onClose={close} focusOnOpen={focusPanel.current} />
          </div>
        )}
      </div>
    </Page>
  );
}
