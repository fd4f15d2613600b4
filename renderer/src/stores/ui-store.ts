/**
 * View state that outlives a page visit: the current page, the selected device, and the
 * Devices table's search, filters, sort and grouping (so going to Topology and back does
 * not lose them), and its columns, which also outlive a restart (kept in localStorage).
 * Nothing here talks to the host.
 */
import { createStore, useStore } from 'zustand';
import { normalizeColumnChoice, parseColumnChoice, type ColumnId } from '../lib/device-columns';
import { EMPTY_FILTERS, type DeviceFilters } from '../lib/device-filter';
import type { SortKey } from '../lib/device-sort';
import type { PageId, Route } from '../lib/route';

export interface DeviceSort {
  id: SortKey;
  desc: boolean;
}

export type GroupsFilter = 'all' | import('#shared/model').PassthroughState;

export interface UiState {
  page: PageId;
  /** Address of the device whose detail panel is open. */
  selectedDevice: string | null;
  /** A device whose details closed because the scan no longer has it (said until the next is opened). */
  vanishedDevice: string | null;
  filters: DeviceFilters;
  /** Empty means the natural order (by address). */
  sort: DeviceSort[];
  groupByIommu: boolean;
  groupsFilter: GroupsFilter;
  /** The Devices table's columns besides address and name, chosen in its column chooser. */
  deviceColumns: ColumnId[];
  navigate(page: PageId): void;
  applyRoute(route: Route): void;
  /** Open a device's details (switching to the Devices page), or close with null. */
  selectDevice(address: string | null, options?: { navigate?: boolean }): void;
  /** Close the details of a device the scan no longer has, and say so. */
  deviceVanished(address: string): void;
  setFilters(patch: Partial<DeviceFilters>): void;
  clearFilters(): void;
  setSort(sort: DeviceSort[]): void;
  setGroupByIommu(on: boolean): void;
  setGroupsFilter(f: GroupsFilter): void;
  setDeviceColumns(columns: readonly ColumnId[]): void;
}

/** Where the column choice is remembered (bump the version if its meaning changes). */
export const DEVICE_COLUMNS_KEY = 'passthru.devices.columns.v1';

/** The little of Storage the store uses; null where there is none (tests, a locked-down page). */
export type ChoiceStorage = Pick<Storage, 'getItem' | 'setItem'> | null;

function defaultStorage(): ChoiceStorage {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // A page whose storage is disabled throws on access.
    return null;
  }
}

function readColumns(storage: ChoiceStorage): ColumnId[] {
  try {
    return parseColumnChoice(storage?.getItem(DEVICE_COLUMNS_KEY));
  } catch {
    return parseColumnChoice(null);
  }
}

export function createUiStore(storage: ChoiceStorage = defaultStorage()) {
  return createStore<UiState>()((set) => ({
    page: 'overview',
    selectedDevice: null,
    vanishedDevice: null,
    filters: EMPTY_FILTERS,
    sort: [],
    groupByIommu: false,
    groupsFilter: 'all',
    deviceColumns: readColumns(storage),
    navigate: (page) => set({ page }),
    applyRoute: (route) => set((s) => ({ page: route.page, selectedDevice: route.device ?? s.selectedDevice })),
    selectDevice: (address, options) =>
      set((s) => ({
        selectedDevice: address,
        vanishedDevice: address === null ? s.vanishedDevice : null,
        page: options?.navigate ? 'devices' : s.page,
      })),
    deviceVanished: (address) => set((s) => (s.selectedDevice === address ? { selectedDevice: null, vanishedDevice: address } : {})),
    setFilters: (patch) => set((s) => ({ filters: { ...s.filters, ...patch } })),
    clearFilters: () => set({ filters: EMPTY_FILTERS }),
    setSort: (sort) => set({ sort }),
    setGroupByIommu: (groupByIommu) => set({ groupByIommu }),
    setGroupsFilter: (groupsFilter) => set({ groupsFilter }),
    setDeviceColumns: (columns) => {
      const deviceColumns = normalizeColumnChoice(columns);
      set({ deviceColumns });
      try {
        storage?.setItem(DEVICE_COLUMNS_KEY, JSON.stringify(deviceColumns));
      } catch {
        // Full or disabled storage: the choice lasts until the window closes.
      }
    },
  }));
}

export const uiStore = createUiStore();

export function useUiStore<T>(selector: (s: UiState) => T): T {
  return useStore(uiStore, selector);
}
