import { describe, expect, it } from 'vitest';
import { sampleScan } from '../testing/sample-scan';
import { ANY, EMPTY_FILTERS, filterDevices, filterOptions, hasActiveFilters, matchesSearch, NO_DRIVER, NO_GROUP } from './device-filter';

const devices = sampleScan.devices;
const addrs = (list: { address: string }[]) => list.map((d) => d.address);

describe('device search', () => {
  it('matches address (with or without domain), names, ids, drivers, interfaces', () => {
    const igb = devices.find((d) => d.address === '0000:01:00.0')!;
    for (const q of ['0000:01:00.0', '01:00.0', '82576', 'intel', '8086:10c9', 'igb', 'enp1s0f0', 'group 1', 'sr-iov']) {
      expect(matchesSearch(igb, q), q).toBe(true);
    }
    expect(matchesSearch(igb, 'nvme')).toBe(false);
  });

  it('requires every term to match', () => {
    expect(addrs(filterDevices(devices, { ...EMPTY_FILTERS, search: 'virtual vfio' }))).toEqual(['0000:01:10.2']);
    expect(filterDevices(devices, { ...EMPTY_FILTERS, search: 'VIRTUAL' })).toHaveLength(2);
  });

  it('returns the same array when nothing filters', () => {
    expect(filterDevices(devices, EMPTY_FILTERS)).toBe(devices);
    expect(hasActiveFilters(EMPTY_FILTERS)).toBe(false);
    expect(hasActiveFilters({ ...EMPTY_FILTERS, search: '  ' })).toBe(false);
  });
});

describe('device filters', () => {
  it('filters by class category', () => {
    const nics = filterDevices(devices, { ...EMPTY_FILTERS, category: 'network' });
    expect(addrs(nics)).toEqual(['0000:00:1f.6', '0000:01:00.0', '0000:01:00.1', '0000:01:10.0', '0000:01:10.2', '0000:02:00.0']);
  });

  it('filters by driver, including "no driver"', () => {
    expect(addrs(filterDevices(devices, { ...EMPTY_FILTERS, driver: 'vfio-pci' }))).toEqual(['0000:01:10.2', '0000:02:00.0']);
    const none = filterDevices(devices, { ...EMPTY_FILTERS, driver: NO_DRIVER });
    expect(none.every((d) => d.driver === null)).toBe(true);
    expect(none.length).toBeGreaterThan(0);
  });

  it('filters by IOMMU group, including "no group"', () => {
    expect(addrs(filterDevices(devices, { ...EMPTY_FILTERS, group: '9' }))).toEqual(['0000:00:1f.0', '0000:00:1f.3', '0000:00:1f.4', '0000:00:1f.6']);
    expect(filterDevices(devices, { ...EMPTY_FILTERS, group: NO_GROUP })).toEqual([]);
  });

  it('combines filters and search', () => {
    const f = { search: 'intel', category: 'network', driver: 'igb', group: ANY, verdict: ANY };
    expect(addrs(filterDevices(devices, f))).toEqual(['0000:01:00.0', '0000:01:00.1']);
  });

  it('offers only the choices the host has, with counts', () => {
    const o = filterOptions(devices);
    expect(o.categories.find((c) => c.value === 'network')?.label).toBe('Network (6)');
    expect(o.drivers[0]).toEqual({ value: NO_DRIVER, label: expect.stringMatching(/^No driver \(\d+\)$/) });
    expect(o.drivers.map((d) => d.value)).toContain('igb');
    expect(o.groups.find((g) => g.value === '9')?.label).toBe('Group 9 (4)');
    expect(o.groups.some((g) => g.value === NO_GROUP)).toBe(false);
  });
});
