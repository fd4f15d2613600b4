import { describe, expect, it } from 'vitest';
import type { HostScan } from '#shared/model';
import { deriveGroups, makeDevice, makeInterface, sampleScan } from '../testing/sample-scan';
import { explainGroup, groupOfDevice } from './group-verdict';
import { indexScan } from './scan-index';

const index = indexScan(sampleScan);
const group = (id: number) =>
  explainGroup(
    sampleScan.groups.find((g) => g.id === id)!,
    index,
  );

describe('group explanations', () => {
  it("lead with the passthrough verdict; the kernel's viability is a fact beside it", () => {
    const g1 = group(1);
    expect(g1.passthrough.state).toBe('shared');
    expect(g1.viable).toBe(false);
    expect(g1.verdict).toMatch(/^Shared: .*0000:01:00\.0 \(igb\) and 0000:01:00\.1 \(igb\)/);
    expect(g1.blockers.map((b) => b.sentence)).toEqual([
      '0000:01:00.0 is on igb: VFIO takes the group only once it is on vfio-pci (or has no driver).',
      '0000:01:00.1 is on igb: VFIO takes the group only once it is on vfio-pci (or has no driver).',
    ]);
    expect(g1.blockers[0]?.deviceName).toBe('82576 Gigabit Network Connection');
  });

  it('a bridge plus a vfio-pci device is ready; a lone VF on vfio-pci too', () => {
    expect(group(7).passthrough.state).toBe('ready');
    expect(group(18).verdict).toMatch(/^Ready: .* is on vfio-pci: a VM can take it now\.$/);
  });

  it("the management NIC's group is blocked, and says by what", () => {
    const g9 = group(9);
    expect(g9.passthrough.state).toBe('blocked');
    expect(g9.hazards.some((h) => h.includes('0000:00:1f.6') && h.includes('eno1'))).toBe(true);
    expect(group(18).hazards).toEqual([]);
  });

  it('finds the group of a device, or null without an IOMMU', () => {
    const igb = index.deviceByAddress.get('0000:01:00.0')!;
    expect(groupOfDevice(igb, index)?.id).toBe(1);
    expect(groupOfDevice({ ...igb, iommuGroup: null }, index)).toBeNull();
  });

  it('lists members that the scan knows, in group order', () => {
    const devices = [makeDevice({ address: '0000:05:00.0', iommuGroup: 3, driver: 'vfio-pci' })];
    const scan: HostScan = { ...sampleScan, devices, groups: deriveGroups(devices), interfaces: [makeInterface({ name: 'x' })] };
    const g = explainGroup({ ...scan.groups[0]!, devices: ['0000:05:00.0', '0000:05:00.1'] }, indexScan(scan));
    expect(g.members.map((m) => m.address)).toEqual(['0000:05:00.0']);
  });
});
