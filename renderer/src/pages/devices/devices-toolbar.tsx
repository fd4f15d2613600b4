/** Search box, filters, the group-by toggle and the column chooser for the Devices grid, all labelled controls. */
import type { PciDevice } from '#shared/model';
import { ANY, filterOptions, hasActiveFilters, type DeviceFilters } from '../../lib/device-filter';
import { verdictOptions, type GroupLookup } from '../../lib/device-verdict';
import { plural } from '../../lib/format';
import { uiStore } from '../../stores/ui-store';
import { useMemo } from 'react';
import { ColumnChooser } from './column-chooser';

export function DevicesToolbar({
  devices,
  groupById,
  filters,
  groupByIommu,
  shown,
}: {
  devices: PciDevice[];
  groupById: GroupLookup;
  filters: DeviceFilters;
  groupByIommu: boolean;
  shown: number;
}) {
  const options = useMemo(() => filterOptions(devices), [devices]);
  const verdicts = useMemo(() => verdictOptions(devices, groupById, filters.verdict), [devices, groupById, filters.verdict]);
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
        <FilterSelect
          id="filter-verdict"
          label="Passthrough"
          anyLabel="Any verdict"
          value={filters.verdict}
          options={verdicts}
          onChange={(verdict) => ui.setFilters({ verdict })}
        />
        <FilterSelect
          id="filter-class"
          label="Class"
          anyLabel="All classes"
          value={filters.category}
          options={options.categories}
          onChange={(category) => ui.setFilters({ category })}
        />
        <FilterSelect id="filter-driver" label="Driver" anyLabel="Any driver" value={filters.driver} options={options.drivers} onChange={(driver) => ui.setFilters({ driver })} />
        <FilterSelect id="filter-group" label="IOMMU group" anyLabel="Any group" value={filters.group} options={options.groups} onChange={(group) => ui.setFilters({ group })} />
        <button type="button" className="button button--quiet" disabled={!active} onClick={() => ui.clearFilters()}>
          Clear filters
        </button>
      </div>
      <div className="toolbar__view">
        <label className="checkbox">
          <input type="checkbox" checked={groupByIommu} onChange={(e) => ui.setGroupByIommu(e.target.checked)} />
          Group by IOMMU group
        </label>
        <ColumnChooser />
        <p className="toolbar__count" role="status">
          {active ? `Showing ${shown} of ${plural(devices.length, 'device', 'devices')}` : plural(devices.length, 'device', 'devices')}
        </p>
      </div>
    </div>
  );
}

/** One labelled filter: "any" first, then the values present on this host. */
function FilterSelect(props: {
  id: string;
  label: string;
  anyLabel: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <div className="control">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value={ANY}>{props.anyLabel}</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
