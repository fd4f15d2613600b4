/**
 * Turns the filtered, sorted device list into the flat row list the virtualized grid
 * renders: plain device rows, or, when grouping by IOMMU group, a header row per group
 * followed by its members (in the current sort order).
 */
import type { IommuGroup, PciDevice } from '#shared/model';

export type GridItem = { kind: 'group'; key: string; groupId: number | null; group: IommuGroup | null; count: number } | { kind: 'device'; key: string; device: PciDevice };

export function buildGridItems(devices: readonly PciDevice[], groupByIommu: boolean, groupById: ReadonlyMap<number, IommuGroup>): GridItem[] {
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

/** Row heights in pixels; the grid's rows are of fixed height, so positions are sums. */
export interface RowHeights {
  device: number;
  group: number;
}

/** Where each row starts (from the top of the body) and where the last one ends. */
export function rowOffsets(items: readonly GridItem[], heights: RowHeights): { starts: Float64Array; total: number } {
  const starts = new Float64Array(items.length);
  let y = 0;
  for (let i = 0; i < items.length; i++) {
    starts[i] = y;
    y += items[i]?.kind === 'group' ? heights.group : heights.device;
  }
  return { starts, total: y };
}

/** The row at `y` (body coordinates), clamped to the list; -1 when there are no rows. */
export function rowAt(starts: Float64Array, y: number): number {
  if (starts.length === 0) return -1;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The group header to pin at the top of the body when the body is scrolled to `y`: the header
 * of the group the first row in view belongs to (-1 when not grouping or no rows). `shift` (≤ 0)
 * slides it up as the next group's header arrives, so the two never overlap.
 */
export function pinnedGroupHeader(items: readonly GridItem[], starts: Float64Array, y: number, groupHeight: number): { index: number; shift: number } {
  const first = rowAt(starts, Math.max(0, y));
  let index = first;
  while (index >= 0 && items[index]?.kind !== 'group') index--;
  if (index < 0) return { index: -1, shift: 0 };
  let next = first + 1;
  while (next < items.length && items[next]?.kind !== 'group') next++;
  const nextStart = next < items.length ? (starts[next] ?? Infinity) : Infinity;
  return { index, shift: Math.min(0, nextStart - y - groupHeight) };
}

/** Where a roving focus lands among `count` headers (ArrowLeft/Right, Home/End); null for other keys. */
export function moveColumn(from: number, key: string, count: number): number | null {
  if (count === 0) return null;
  const clamp = (n: number) => Math.max(0, Math.min(count - 1, n));
  switch (key) {
    case 'ArrowRight':
      return clamp(from + 1);
    case 'ArrowLeft':
      return clamp(from - 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/** Index of a device's row, or -1. */
export function indexOfDevice(items: readonly GridItem[], address: string): number {
  return items.findIndex((i) => i.kind === 'device' && i.device.address === address);
}

/** Where keyboard navigation lands from `from`, clamped to the list. */
export function moveIndex(from: number, key: 'ArrowDown' | 'ArrowUp' | 'PageDown' | 'PageUp' | 'Home' | 'End', count: number, pageSize: number): number {
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
