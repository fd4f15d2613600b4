import { describe, expect, it } from 'vitest';
import type { HostScan } from '../../../shared/model';
import { deriveGroups, makeDevice, makeInterface, sampleScan } from '../testing/sample-scan';
import { blockerSentence, explainGroup, groupOfDevice, VIABILITY_RULE } from './group-verdict';
import { indexScan } from './scan-index';

const index = indexScan(sampleScan);
const group = (id: number) => explainGroup(sampleScan.groups.find((g) => g.id === id)!, index);

describe('group verdicts', () => {
  it('names each blocker and the rule in one sentence', () => {
    expect(blockerSentence('0000:00:1f.2', 'ahci')).toBe(
      '0000:00:1f.2 is bound to ahci; every device in the group must be on vfio-pci, pci-stub, have no driver, or be a bridge.',
    );
    const g1 = group(1);
    expect(g1.viable).toBe(false);
    expect(g1.verdict).toBe('Not viable: 2 devices are bound to host drivers.');
    expect(g1.blockers.map((b) => b.sentence)).toEqual([
      `0000:01:00.0 is bound to igb; ${VIABILITY_RULE}.`,
      `0000:01:00.1 is bound to igb; ${VIABILITY_RULE}.`,
    ]);
    expect(g1.blockers[0]?.deviceName).toBe('82576 Gigabit Network Connection');
  });

  it('calls a bridge plus a vfio-pci device viable', () => {
    const g7 = group(7);
    expect(g7.viable).toBe(true);
    expect(g7.blockers).toEqual([]);
    expect(g7.verdict).toMatch(/^Viable: all 2 devices/);
    expect(group(18).verdict).toBe('Viable: its only device can be handed to a VM.');
  });

  it('warns about the management NIC, storage and the boot display', () => {
    expect(group(9).hazards.some((h) => h.includes('management NIC') && h.includes('eno1'))).toBe(true);
    expect(group(5).hazards.some((h) => h.includes('storage controller on ahci'))).toBe(true);
    expect(group(2).hazards.some((h) => h.includes('boot display'))).toBe(true);
    expect(group(1).hazards.some((h) => h.includes('enp1s0f0') && h.includes('port of br-lab'))).toBe(true);
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
