import { describe, expect, it } from 'vitest';
import { makeDevice } from '../testing/sample-scan';
import { classCategory, deviceTitle, formatResetMethods, formatSpeed, formatSriov, formatTimestamp, fullName, iommuVendorLabel, plural } from './format';

describe('format', () => {
  it('names a device, falling back to ids when pci.ids does not know it', () => {
    const known = makeDevice({ address: '0000:01:00.0', deviceName: '82576 Gigabit Network Connection', deviceId: '10c9' });
    const unknown = makeDevice({ address: '0000:04:00.0', vendorId: '1ded', deviceId: '8001', vendorName: null });
    expect(deviceTitle(known)).toBe('82576 Gigabit Network Connection');
    expect(deviceTitle(unknown)).toBe('Device 1ded:8001');
    expect(fullName(unknown)).toBeNull();
  });

  it('formats link speeds', () => {
    expect(formatSpeed(null)).toBe('Unknown');
    expect(formatSpeed(-1)).toBe('Unknown');
    expect(formatSpeed(100)).toBe('100 Mb/s');
    expect(formatSpeed(1000)).toBe('1 Gb/s');
    expect(formatSpeed(2500)).toBe('2.5 Gb/s');
  });

  it('describes SR-IOV for a PF, a VF and neither', () => {
    const pf = makeDevice({ address: '0000:01:00.0', sriov: { totalVfs: 7, numVfs: 2, vfs: [], driversAutoprobe: true, vfSettings: null, bootRule: null } });
    const vf = makeDevice({ address: '0000:01:10.0', physfn: '0000:01:00.0' });
    expect(formatSriov(pf)).toBe('2 of 7 VFs enabled');
    expect(formatSriov(vf)).toBe('VF of 0000:01:00.0');
    expect(formatSriov(makeDevice({ address: '0000:00:02.0' }))).toBe('—');
  });

  it('distinguishes no reset method from an old kernel', () => {
    expect(formatResetMethods(['flr', 'bus'])).toBe('flr, bus');
    expect(formatResetMethods([])).toBe('None');
    expect(formatResetMethods(null)).toMatch(/Unknown/);
  });

  it('formats capture times in UTC and passes through junk', () => {
    expect(formatTimestamp('2025-11-20T14:32:05Z')).toBe('20 Nov 2025, 14:32 UTC');
    expect(formatTimestamp('yesterday')).toBe('yesterday');
    expect(formatTimestamp(null)).toBe('unknown time');
  });

  it('maps PCI base classes to categories', () => {
    expect(classCategory('020000')).toBe('network');
    expect(classCategory('010802')).toBe('storage');
    expect(classCategory('0C0330')).toBe('serial-bus');
    expect(classCategory('ff0000')).toBe('other');
  });

  it('labels IOMMU vendors and pluralises', () => {
    expect(iommuVendorLabel('intel')).toBe('Intel VT-d (DMAR)');
    expect(iommuVendorLabel('amd')).toBe('AMD-Vi');
    expect(iommuVendorLabel(null)).toBe('None');
    expect(plural(1, 'group', 'groups')).toBe('1 group');
    expect(plural(3, 'group', 'groups')).toBe('3 groups');
  });
});
