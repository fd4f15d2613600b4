import { describe, expect, it } from 'vitest';
import { makeDevice, sampleScan } from '../testing/sample-scan';
import { compareAddress, compareText, sortByAddress, sortDevices } from './device-sort';

describe('device sorting', () => {
  it('compares PCI addresses numerically per field', () => {
    expect(compareAddress('0000:00:1f.6', '0000:01:00.0')).toBeLessThan(0);
    expect(compareAddress('0000:0a:00.0', '0000:09:00.0')).toBeGreaterThan(0);
    expect(compareAddress('10000:00:00.0', '0000:ff:1f.7')).toBeGreaterThan(0);
    expect(compareAddress('0000:00:02.0', '0000:00:02.0')).toBe(0);
  });

  it('compares text numerically and case-insensitively', () => {
    expect(compareText('Root Port #9', 'Root Port #17')).toBeLessThan(0);
    expect(compareText('igb', 'IGB')).toBe(0);
  });

  it('sorts by driver with missing drivers last in both directions', () => {
    const asc = sortDevices(sampleScan.devices, 'driver');
    const desc = sortDevices(sampleScan.devices, 'driver', true);
    expect(asc[0]?.driver).toBe('ahci');
    expect(desc[0]?.driver).toBe('xhci_hcd');
    for (const list of [asc, desc]) {
      const firstNull = list.findIndex((d) => d.driver === null);
      expect(list.slice(firstNull).every((d) => d.driver === null)).toBe(true);
    }
  });

  it('breaks ties by address and sorts groups numerically', () => {
    const byGroup = sortDevices(sampleScan.devices, 'iommuGroup');
    expect(byGroup.map((d) => d.iommuGroup)).toEqual([...byGroup.map((d) => d.iommuGroup)].sort((a, b) => a! - b!));
    const g9 = byGroup.filter((d) => d.iommuGroup === 9).map((d) => d.address);
    expect(g9).toEqual([...g9].sort());
    expect(byGroup.at(-1)?.iommuGroup).toBe(18);
  });

  it('puts PFs by VF count, then VFs, then the rest', () => {
    const list = sortDevices(sampleScan.devices, 'sriov', true);
    expect(list.slice(0, 4).map((d) => d.address)).toEqual(['0000:01:00.0', '0000:01:00.1', '0000:01:10.0', '0000:01:10.2']);
  });

  it('sorts by address without mutating the input', () => {
    const input = [makeDevice({ address: '0000:02:00.0' }), makeDevice({ address: '0000:00:1f.0' })];
    expect(sortByAddress(input).map((d) => d.address)).toEqual(['0000:00:1f.0', '0000:02:00.0']);
    expect(input[0]?.address).toBe('0000:02:00.0');
  });
});
