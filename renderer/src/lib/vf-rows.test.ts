import { describe, expect, it } from 'vitest';
import { sampleScan } from '../testing/sample-scan';
import { formatOnOff, formatOpenBy, formatVlan, vfIndexOf, vfRows } from './vf-rows';
import { indexScan } from './scan-index';

describe('VF rows of a PF', () => {
  const index = indexScan(sampleScan);
  const pf = index.deviceByAddress.get('0000:01:00.0')!;

  it('joins the PF driver settings, the VF functions and their scan entries by index', () => {
    const rows = vfRows(pf, index);
    expect(rows.map((r) => [r.index, r.address, r.device?.driver ?? null, r.device?.iommuGroup ?? null])).toEqual([
      [0, '0000:01:10.0', 'igbvf', 17],
      [1, '0000:01:10.2', 'vfio-pci', 18],
    ]);
    expect(rows[1]!.settings).toMatchObject({ mac: '02:5e:10:00:00:01', vlan: 10, qos: 3, trust: true });
    expect(rows[0]!.interfaces.map((i) => i.name)).toEqual(['enp1s0f0v0']);
    // The VF on vfio-pci is held by a running VM (its group's openBy).
    expect(rows.map((r) => formatOpenBy(r.openBy))).toEqual(['—', 'qemu-system-x86 (pid 4242)']);
  });

  it('lists VFs without settings (iproute2 not read) and settings without a listed VF', () => {
    const bare = { ...pf, sriov: { ...pf.sriov!, vfSettings: null } };
    expect(vfRows(bare, index).map((r) => r.settings)).toEqual([null, null]);
    const extra = { ...pf, sriov: { ...pf.sriov!, vfs: ['0000:01:10.0'] } };
    expect(vfRows(extra, index).map((r) => r.address)).toEqual(['0000:01:10.0', null]);
    expect(vfRows(index.deviceByAddress.get('0000:01:00.1')!, index)).toEqual([]);
  });

  it('formats VLAN and on/off, with a dash when not reported', () => {
    expect(formatVlan(null)).toBe('—');
    expect(formatVlan({ index: 0, mac: null, vlan: 0, qos: 0, spoofCheck: null, trust: null, linkState: null })).toBe('none');
    expect(formatVlan({ index: 0, mac: null, vlan: 10, qos: 3, spoofCheck: null, trust: null, linkState: null })).toBe('10 (priority 3)');
    expect([formatOnOff(true), formatOnOff(false), formatOnOff(null)]).toEqual(['on', 'off', '—']);
  });

  it('finds a VF index under its PF', () => {
    expect(vfIndexOf(index.deviceByAddress.get('0000:01:10.2')!, index)).toBe(1);
    expect(vfIndexOf(pf, index)).toBeNull();
  });
});
