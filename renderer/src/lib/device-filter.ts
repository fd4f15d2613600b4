/**
 * Search and filter predicates for the Devices table. Kept pure (no React, no table
 * library) so the rules are unit-tested and identical wherever a device list is narrowed.
 */
import type { PassthroughState, PciDevice } from '#shared/model';
import { matchesVerdict } from './device-verdict';
import { CATEGORY_LABELS, classCategory, type ClassCategory } from './format';

/** Select value meaning "no filter". */
export const ANY = '';
/** Driver filter value for devices with no driver bound (not a valid module name). */
export const NO_DRIVER = '(none)';
/** Group filter value for devices outside any IOMMU group. */
export const NO_GROUP = 'none';

export interface DeviceFilters {
  /** Free text; every whitespace-separated term must match somewhere. */
  search: string;
  /** A ClassCategory, or ANY. */
  category: string;
  /** A driver name, NO_DRIVER, or ANY. */
  driver: string;
  /** An IOMMU group id as text, NO_GROUP, or ANY. */
  group: string;
  /** A passthrough verdict, VERDICT_PASSABLE (ready, assignable or shared), VERDICT_NO_GROUP, or ANY. */
  verdict: string;
}

export const EMPTY_FILTERS: DeviceFilters = { search: '', category: ANY, driver: ANY, group: ANY, verdict: ANY };

export function hasActiveFilters(f: DeviceFilters): boolean {
  return f.search.trim() !== '' || f.category !== ANY || f.driver !== ANY || f.group !== ANY || f.verdict !== ANY;
}

/** The verdict of a device's group (lib/device-verdict), or null outside any group. */
export type VerdictOf = (d: PciDevice) => PassthroughState | null;

const noVerdict: VerdictOf = () => null;

const haystacks = new WeakMap<PciDevice, string>();

/** Everything a user might type to find a device, lower-cased, computed once per device. */
export function searchText(d: PciDevice): string {
  let text = haystacks.get(d);
  if (text === undefined) {
    text = [
      d.address,
      d.address.replace(/^0000:/, ''),
      d.vendorName,
      d.deviceName,
      d.subsystemName,
      d.className,
      `${d.vendorId}:${d.deviceId}`,
      d.classId,
      d.driver,
      d.driverOverride,
      ...d.modules,
      ...d.interfaces,
      d.iommuGroup === null ? null : `group ${d.iommuGroup}`,
      d.physfn ? `vf ${d.physfn}` : null,
      d.sriov ? 'sr-iov sriov pf' : null,
    ]
      .filter((s): s is string => typeof s === 'string' && s !== '')
      .join(' \u0001 ')
      .toLowerCase();
    haystacks.set(d, text);
  }
  return text;
}

export function matchesSearch(d: PciDevice, query: string): boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const text = searchText(d);
  return terms.every((t) => text.includes(t));
}

export function matchesFilters(d: PciDevice, f: DeviceFilters, verdictOf: VerdictOf = noVerdict): boolean {
  if (f.category !== ANY && classCategory(d.classId) !== f.category) return false;
  if (f.driver === NO_DRIVER ? d.driver !== null : f.driver !== ANY && d.driver !== f.driver) return false;
  if (f.group === NO_GROUP ? d.iommuGroup !== null : f.group !== ANY && String(d.iommuGroup) !== f.group) return false;
  if (f.verdict !== ANY && !matchesVerdict(verdictOf(d), f.verdict)) return false;
  return matchesSearch(d, f.search);
}

export function filterDevices(devices: PciDevice[], f: DeviceFilters, verdictOf: VerdictOf = noVerdict): PciDevice[] {
  if (!hasActiveFilters(f)) return devices;
  return devices.filter((d) => matchesFilters(d, f, verdictOf));
}

export interface FilterOption {
  value: string;
  label: string;
}

/** Choices for the filter selects, with counts, from what the host actually has. */
export function filterOptions(devices: PciDevice[]): {
  categories: FilterOption[];
  drivers: FilterOption[];
  groups: FilterOption[];
} {
  const cats = new Map<ClassCategory, number>();
  const drivers = new Map<string, number>();
  const groups = new Map<number, number>();
  let noDriver = 0;
  let noGroup = 0;
  for (const d of devices) {
    const c = classCategory(d.classId);
    cats.set(c, (cats.get(c) ?? 0) + 1);
    if (d.driver === null) noDriver++;
    else drivers.set(d.driver, (drivers.get(d.driver) ?? 0) + 1);
    if (d.iommuGroup === null) noGroup++;
    else groups.set(d.iommuGroup, (groups.get(d.iommuGroup) ?? 0) + 1);
  }
  const categories = [...cats.entries()]
    .sort(([a], [b]) => CATEGORY_LABELS[a].localeCompare(CATEGORY_LABELS[b]))
    .map(([c, n]) => ({ value: c, label: `${CATEGORY_LABELS[c]} (${n})` }));
  const driverOptions = [...drivers.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, n]) => ({ value: name, label: `${name} (${n})` }));
  if (noDriver > 0) driverOptions.unshift({ value: NO_DRIVER, label: `No driver (${noDriver})` });
  const groupOptions = [...groups.entries()].sort(([a], [b]) => a - b).map(([id, n]) => ({ value: String(id), label: `Group ${id} (${n})` }));
  if (noGroup > 0) groupOptions.unshift({ value: NO_GROUP, label: `No group (${noGroup})` });
  return { categories, drivers: driverOptions, groups: groupOptions };
}
