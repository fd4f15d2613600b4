/**
 * View state that outlives a page visit: the current page, the selected device, and the
 * Devices table's search, filters, sort and grouping (so going to Topology and back does
 * not lose them). Nothing here talks to the host.
 */
import { createStore, useStore } from 'zustand';
import { EMPTY_FILTERS, type DeviceFilters } from '../lib/device-filter';
import type { SortKey } from '../lib/device-sort';
import type { PageId, Route } from '../lib/route';

export interface DeviceSort {
  id: SortKey;
  desc: boolean;
}

export type GroupsFilter = 'all' | import('../../../shared/model').PassthroughState;

export interface UiState {
  page: PageId;
  /** Address of the device whose detail panel is open. */
  selectedDevice: string | null;
  filters: DeviceFilters;
  /** Empty means the natural order (by address). */
  sort: DeviceSort[];
  groupByIommu: boolean;
  groupsFilter: GroupsFilter;
  navigate(page: PageId): void;
  applyRoute(route: Route): void;
  /** Open a device's details (switching to the Devices page), or close with null. */
  selectDevice(address: string | null, options?: { navigate?: boolean }): void;
  setFilters(patch: Partial<DeviceFilters>): void;
  clearFilters(): void;
  setSort(sort: DeviceSort[]): void;
  setGroupByIommu(on: boolean): void;
  setGroupsFilter(f: GroupsFilter): void;
}

export function createUiStore() {
  return createStore<UiState>()((set) => ({
    page: 'overview',
    selectedDevice: null,
    filters: EMPTY_FILTERS,
    sort: [],
    groupByIommu: false,
    groupsFilter: 'all',
    navigate: (page) => set({ page }),
    applyRoute: (route) => set((s) => ({ page: route.page, selectedDevice: route.device ?? s.selectedDevice })),
    selectDevice: (address, options) =>
      set((s) => ({ selectedDevice: address, page: options?.navigate ? 'devices' : s.page })),
    setFilters: (patch) => set((s) => ({ filters: { ...s.filters, ...patch } })),
    clearFilters: () => set({ filters: EMPTY_FILTERS }),
    setSort: (sort) => set({ sort }),
    setGroupByIommu: (groupByIommu) => set({ groupByIommu }),
    setGroupsFilter: (groupsFilter) => set({ groupsFilter }),
  }));
}

export const uiStore = createUiStore();

export function useUiStore<T>(selector: (s: UiState) => T): T {
  return useStore(uiStore, selector);
}
