import { describe, expect, it } from 'vitest';
import { makeDevice, sampleScan } from '../testing/sample-scan';
import {
  CHOOSABLE_COLUMNS,
  COLUMN_ORDER,
  COLUMN_WIDTHS,
  columnVisibility,
  DEFAULT_COLUMNS,
  gridLayout,
  isManagementDevice,
  normalizeColumnChoice,
  parseColumnChoice,
  sriovSummary,
  toggleColumn,
  visibleColumns,
} from './device-columns';
import { sortValues } from './device-sort';
import { indexScan } from './scan-index';

const index = indexScan(sampleScan);
const device = (address: string) => sampleScan.devices.find((d) => d.address === address)!;

describe('device columns', () => {
  it('shows identity and what a NIC user needs by default; the rest waits in the chooser', () => {
    expect(visibleColumns(DEFAULT_COLUMNS)).toEqual(['address', 'name', 'driver', 'verdict', 'interfaces', 'sriov']);
    for (const c of ['ids', 'className', 'driverOverride', 'modules', 'numaNode', 'resetMethods', 'iommuGroup'] as const) {
      expect(CHOOSABLE_COLUMNS).toContain(c);
      expect(DEFAULT_COLUMNS).not.toContain(c);
    }
    expect(CHOOSABLE_COLUMNS).not.toContain('address');
    expect(CHOOSABLE_COLUMNS).not.toContain('name');
  });

  it('has a sort for every column, and a width', () => {
    for (const c of COLUMN_ORDER) {
      expect(sortValues[c]).toBeTypeOf('function');
      expect(COLUMN_WIDTHS[c]).toBeGreaterThan(0);
    }
    expect(new Set(COLUMN_ORDER).size).toBe(COLUMN_ORDER.length);
  });

  it('reads a remembered choice back, keeping only known columns in display order', () => {
    expect(parseColumnChoice(null)).toEqual(DEFAULT_COLUMNS);
    expect(parseColumnChoice('not json')).toEqual(DEFAULT_COLUMNS);
    expect(parseColumnChoice('{"driver":true}')).toEqual(DEFAULT_COLUMNS);
    expect(parseColumnChoice('[]')).toEqual([]);
    expect(parseColumnChoice('["className","driver","bogus","address","driver",7]')).toEqual(['driver', 'className']);
  });

  it('turns columns on and off, never the identity', () => {
    const added = toggleColumn(DEFAULT_COLUMNS, 'className', true);
    expect(added).toEqual(['driver', 'verdict', 'interfaces', 'sriov', 'className']);
    expect(toggleColumn(added, 'interfaces', false)).toEqual(['driver', 'verdict', 'sriov', 'className']);
    expect(toggleColumn(DEFAULT_COLUMNS, 'address', false)).toEqual(DEFAULT_COLUMNS);
    expect(visibleColumns([])).toEqual(['address', 'name']);
    expect(normalizeColumnChoice(['modules', 'ids', 'modules'])).toEqual(['ids', 'modules']);
    const visibility = columnVisibility(['className']);
    expect(visibility).toMatchObject({ address: true, name: true, className: true, driver: false, verdict: false });
  });

  it('lays out the shown columns: the address fixed, the rest growing in proportion, scrolling below the minimum', () => {
    const layout = gridLayout(['address', 'name', 'driver']);
    expect(layout.template).toBe('124px minmax(240px, 240fr) minmax(110px, 110fr)');
    expect(layout.minWidth).toBe(124 + 240 + 110);
    // The defaults fit a 1400 px window beside the page list (about 1,160 px for the grid).
    expect(gridLayout(visibleColumns(DEFAULT_COLUMNS)).minWidth).toBeLessThan(1100);
  });

  it('words the SR-IOV cell for a PF, a VF and neither', () => {
    expect(sriovSummary(device('0000:01:00.0'))).toEqual({ kind: 'pf', text: 'PF: 2 of 7 VFs' });
    expect(sriovSummary(device('0000:01:10.0'))).toEqual({ kind: 'vf', pf: '0000:01:00.0' });
    expect(sriovSummary(device('0000:03:00.0'))).toBeNull();
  });

  it('marks the management NIC by its host need or its interface', () => {
    expect(isManagementDevice(device('0000:00:1f.6'), index)).toBe(true);
    expect(isManagementDevice(device('0000:01:00.0'), index)).toBe(false);
    const byNeed = makeDevice({ address: '0000:09:00.0', hostNeeds: [{ kind: 'management-nic', detail: 'it carries the default route' }] });
    expect(isManagementDevice(byNeed, index)).toBe(true);
    const disk = makeDevice({ address: '0000:09:00.1', hostNeeds: [{ kind: 'mounted-disk', detail: '/ is on it' }] });
    expect(isManagementDevice(disk, index)).toBe(false);
  });
});
