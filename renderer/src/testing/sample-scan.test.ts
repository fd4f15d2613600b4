import { describe, expect, it } from 'vitest';
import type { HostScan } from '#shared/model';
import { makeLargeScan, sampleNoIommuScan, sampleScan, sampleSnapshotScan } from './sample-scan';

/** The fixtures must obey the model's contract, or tests built on them prove nothing. */
function checkContract(scan: HostScan) {
  const addresses = new Set(scan.devices.map((d) => d.address));
  expect(addresses.size).toBe(scan.devices.length);
  for (const d of scan.devices) {
    expect(d.address).toMatch(/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/);
    expect(d.vendorId).toMatch(/^[0-9a-f]{4}$/);
    expect(d.deviceId).toMatch(/^[0-9a-f]{4}$/);
    if (d.parent) expect(addresses.has(d.parent)).toBe(true);
    if (d.physfn) expect(addresses.has(d.physfn)).toBe(true);
    for (const vf of d.sriov?.vfs ?? []) expect(addresses.has(vf)).toBe(true);
  }
  for (const g of scan.groups) {
    for (const a of g.devices) expect(scan.devices.find((d) => d.address === a)?.iommuGroup).toBe(g.id);
    expect(g.viable).toBe(g.blockers.length === 0);
  }
  const names = new Set(scan.interfaces.map((i) => i.name));
  for (const i of scan.interfaces) {
    if (i.device) expect(addresses.has(i.device)).toBe(true);
    if (i.master) expect(names.has(i.master)).toBe(true);
  }
}

describe('sample scans', () => {
  it.each([
    ['live', sampleScan],
    ['snapshot', sampleSnapshotScan],
    ['no IOMMU', sampleNoIommuScan],
    ['2,000 devices', makeLargeScan(2000)],
  ])('%s follows the model contract', (_name, scan) => checkContract(scan));

  it('has the shapes the views need', () => {
    expect(sampleScan.interfaces.filter((i) => i.management).map((i) => i.name)).toEqual(['eno1']);
    expect(sampleScan.groups.find((g) => g.id === 9)?.blockers.map((b) => b.driver)).toContain('e1000e');
    expect(makeLargeScan(2000).devices).toHaveLength(2000);
  });
});
