/** Search box, filters and the group-by toggle for the Devices grid, all labelled controls. */
import type { PciDevice } from '../../../../shared/model';
import { ANY, filterOptions, hasActiveFilters, type DeviceFilters } from '../../lib/device-filter';
import { plural } from '../../lib/format';
import { uiStore } from '../../stores/ui-store';
import { useMemo } from 'react';

export function DevicesToolbar({
  devices,
  filters,
  groupByIommu,
  shown,
}: {
  devices: PciDevice[];
  filters: DeviceFilters;
  groupByIommu: boolean;
  shown: number;
}) {
  const options = useMemo(() => filterOptions(devices), [devices]);
  const ui = uiStore.getState();
  const active = hasActiveFilters(filters);
  return (
    <div className="toolbar">
      <div role="search" aria-label="Filter devices" className="toolbar__filters">
        <div className="control control--search">
          <label htmlFor="device-search">Search</label>
          <input
            id="device-search"
            type="search"
            placeholder="Address, name, driver, ids…"
            value={filters.search}
            onChange={(e) => ui.setFilters({ search: e.target.value })}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="control">
          <label htmlFor="filter-class">Class</label>
          <select id="filter-class" value={filters.category} onChange={(e) => ui.setFilters({ category: e.target.value })}>
            <option value={ANY}>All classes</option>
            {options.categories.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="control">
          <label htmlFor="filter-driver">Driver</label>
          <select id="filter-driver" value={filters.driver} onChange={(e) => ui.setFilters({ driver: e.target.value })}>
            <option value={ANY}>Any driver</option>
            {options.drivers.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="control">
          <label htmlFor="filter-group">IOMMU group</label>
          <select id="filter-group" value={filters.group} onChange={(e) => ui.setFilters({ group: e.target.value })}>
            <option value={ANY}>Any group</option>
            {options.groups.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button button--quiet" disabled={!active} onClick={() => ui.clearFilters()}>
          Clear filters
        </button>
      </div>
      <div className="toolbar__view">
        <label className="checkbox">
          <input type="checkbox" checked={groupByIommu} onChange={(e) => ui.setGroupByIommu(e.target.checked)} />
          Group by IOMMU group
        </label>
        <p className="toolbar__count" role="status">
          {active ? `Showing ${shown} of ${plural(devices.length, 'device', 'devices')}` : plural(devices.length, 'device', 'devices')}
        </p>
      </div>
    </div>
  );
}
