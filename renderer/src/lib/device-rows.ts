/**
 * Turns the filtered, sorted device list into the flat row list the virtualized grid
 * renders: plain device rows, or, when grouping by IOMMU group, a header row per group
 * followed by its members (in the current sort order).
 */
import type { IommuGroup, PciDevice } from '../../../shared/model';

export type GridItem =
  | { kind: 'group'; key: string; groupId: number | null; group: IommuGroup | null; count: number }
  | { kind: 'device'; key: string; device: PciDevice };

export function buildGridItems(
  devices: readonly PciDevice[],
  groupByIommu: boolean,
  groupById: ReadonlyMap<number, IommuGroup>,
): GridItem[] {
  if (!groupByIommu) return devices.map((device) => ({ kind: 'device', key: device.address, device }));
  const buckets = new Map<number | null, PciDevice[]>();
  for (const d of devices) {
    const list = buckets.get(d.iommuGroup) ?? [];
    list.push(d);
    buckets.set(d.iommuGroup, list);
  }
  // Numbered groups in ascending order; devices outside any group at the end.
  const ids = [...buckets.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a - b));
  const items: GridItem[] = [];
  for (const id of ids) {
    const members = buckets.get(id) ?? [];
    items.push({
      kind: 'group',
      key: `group:${id ?? 'none'}`,
      groupId: id,
      group: id === null ? null : (groupById.get(id) ?? null),
      count: members.length,
    });
    for (const device of members) items.push({ kind: 'device', key: device.address, device });
  }
  return items;
}

/** Index of a device's row, or -1. */
export function indexOfDevice(items: readonly GridItem[], address: string): number {
  return items.findIndex((i) => i.kind === 'device' && i.device.address === address);
}

/** Where keyboard navigation lands from `from`, clamped to the list. */
export function moveIndex(
  from: number,
  key: 'ArrowDown' | 'ArrowUp' | 'PageDown' | 'PageUp' | 'Home' | 'End',
  count: number,
  pageSize: number,
): number {
  if (count === 0) return -1;
  const clamp = (n: number) => Math.max(0, Math.min(count - 1, n));
  switch (key) {
    case 'ArrowDown':
      return clamp(from + 1);
    case 'ArrowUp':
      return clamp(from - 1);
    case 'PageDown':
      return clamp(from + Math.max(1, pageSize));
    case 'PageUp':
      return clamp(from - Math.max(1, pageSize));
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
  }
}
