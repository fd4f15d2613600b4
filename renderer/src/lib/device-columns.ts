/**
 * The Devices table's columns as data: their ids (the sort keys of device-sort), labels and
 * widths, which ones a NIC user sees by default, the column chooser's remembered choice, and
 * the words of the cells that are plain text (SR-IOV, management). No React here, so the rules
 * are unit-tested and the grid, the chooser and the store agree on them.
 */
import type { PciDevice } from '#shared/model';
import type { SortKey } from './device-sort';
import type { ScanIndex } from './scan-index';

export type ColumnId = SortKey;

/** Every column in display order: identity first, then what a NIC user needs, then the rest. */
export const COLUMN_ORDER: readonly ColumnId[] = [
  'address',
  'name',
  'driver',
  'verdict',
  'interfaces',
  'sriov',
  'iommuGroup',
  'ids',
  'className',
  'driverOverride',
  'modules',
  'numaNode',
  'resetMethods',
];

/** The frozen identity columns: always shown, stay in view when the rest scrolls sideways. */
export const IDENTITY_COLUMNS: readonly ColumnId[] = ['address', 'name'];

/** Shown until the user chooses otherwise. */
export const DEFAULT_COLUMNS: readonly ColumnId[] = ['driver', 'verdict', 'interfaces', 'sriov'];

/** Columns the chooser offers (everything but the identity). */
export const CHOOSABLE_COLUMNS: readonly ColumnId[] = COLUMN_ORDER.filter((c) => !IDENTITY_COLUMNS.includes(c));

export const COLUMN_LABELS: Record<ColumnId, string> = {
  address: 'Address',
  name: 'Device',
  driver: 'Driver',
  verdict: 'Passthrough',
  interfaces: 'Interfaces',
  sriov: 'SR-IOV',
  iommuGroup: 'IOMMU group',
  ids: 'IDs',
  className: 'Class',
  driverOverride: 'Override',
  modules: 'Modules',
  numaNode: 'NUMA',
  resetMethods: 'Reset',
};

/** What the chooser says of a column whose header is terse. */
export const COLUMN_HINTS: Partial<Record<ColumnId, string>> = {
  verdict: 'group verdict',
  ids: 'vendor:device',
  driverOverride: 'driver_override',
  modules: 'kernel modules',
  resetMethods: 'reset methods',
};

/**
 * Minimum widths in pixels. Room left in a wide window is shared out in proportion to them
 * (the address, the first frozen column, stays as it is so the name knows where to stick).
 */
export const COLUMN_WIDTHS: Record<ColumnId, number> = {
  address: 124,
  name: 240,
  driver: 110,
  verdict: 132,
  interfaces: 180,
  sriov: 170,
  iommuGroup: 136,
  ids: 96,
  className: 190,
  driverOverride: 120,
  modules: 150,
  numaNode: 76,
  resetMethods: 110,
};

const isColumnId = (v: unknown): v is ColumnId => typeof v === 'string' && (COLUMN_ORDER as readonly string[]).includes(v);

/**
 * The chooser's choice read back from storage: the choosable columns it names, in display
 * order, once each. Anything unreadable gives the defaults; an empty list is a valid choice
 * (the identity columns alone).
 */
export function parseColumnChoice(raw: string | null | undefined): ColumnId[] {
  if (raw === null || raw === undefined) return [...DEFAULT_COLUMNS];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return [...DEFAULT_COLUMNS];
  }
  if (!Array.isArray(value)) return [...DEFAULT_COLUMNS];
  return normalizeColumnChoice(value.filter(isColumnId));
}

/** Choosable columns only, in display order, without repeats. */
export function normalizeColumnChoice(chosen: readonly ColumnId[]): ColumnId[] {
  const set = new Set(chosen);
  return CHOOSABLE_COLUMNS.filter((c) => set.has(c));
}

/** The chosen set with one column turned on or off. */
export function toggleColumn(chosen: readonly ColumnId[], id: ColumnId, on: boolean): ColumnId[] {
  if (IDENTITY_COLUMNS.includes(id)) return normalizeColumnChoice(chosen);
  return normalizeColumnChoice(on ? [...chosen, id] : chosen.filter((c) => c !== id));
}

/** Every column shown, in display order: the identity, then the chosen ones. */
export function visibleColumns(chosen: readonly ColumnId[]): ColumnId[] {
  const set = new Set<ColumnId>([...IDENTITY_COLUMNS, ...chosen]);
  return COLUMN_ORDER.filter((c) => set.has(c));
}

/** The table library's visibility map for a choice. */
export function columnVisibility(chosen: readonly ColumnId[]): Record<ColumnId, boolean> {
  const shown = new Set(visibleColumns(chosen));
  return Object.fromEntries(COLUMN_ORDER.map((c) => [c, shown.has(c)])) as Record<ColumnId, boolean>;
}

export function sameColumns(a: readonly ColumnId[], b: readonly ColumnId[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/**
 * The CSS grid template of the shown columns and the width they need at least. Each column but
 * the address grows into spare room in proportion to its width; when the window is narrower
 * than `minWidth` every column is at its minimum and the grid scrolls sideways.
 */
export function gridLayout(shown: readonly ColumnId[]): { template: string; minWidth: number } {
  const template = shown.map((c) => (c === 'address' ? `${COLUMN_WIDTHS[c]}px` : `minmax(${COLUMN_WIDTHS[c]}px, ${COLUMN_WIDTHS[c]}fr)`)).join(' ');
  const minWidth = shown.reduce((n, c) => n + COLUMN_WIDTHS[c], 0);
  return { template, minWidth };
}

/** The SR-IOV cell in words: "PF: 2 of 7 VFs", "VF of 0000:01:00.0", or null for neither. */
export function sriovSummary(d: Pick<PciDevice, 'sriov' | 'physfn'>): { kind: 'pf'; text: string } | { kind: 'vf'; pf: string } | null {
  if (d.sriov) return { kind: 'pf', text: `PF: ${d.sriov.numVfs} of ${d.sriov.totalVfs} VFs` };
  if (d.physfn) return { kind: 'vf', pf: d.physfn };
  return null;
}

/**
 * The device carries the host's management traffic: the host says so (a `management-nic`
 * need) or one of its interfaces has the default route.
 */
export function isManagementDevice(d: Pick<PciDevice, 'address' | 'hostNeeds'>, index: Pick<ScanIndex, 'managementDevices'>): boolean {
  return d.hostNeeds.some((n) => n.kind === 'management-nic') || index.managementDevices.has(d.address);
}
