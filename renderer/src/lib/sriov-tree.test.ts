import { describe, expect, it } from 'vitest';
import type { HostScan } from '#shared/model';
import { makeDevice, sampleScan } from '../testing/sample-scan';
import { buildSriovTree } from './sriov-tree';

describe('PF → VF tree', () => {
  it('nests VFs under their PF in virtfn order with interfaces linked by address', () => {
    const tree = buildSriovTree(sampleScan);
    expect(tree.map((p) => p.address)).toEqual(['0000:01:00.0', '0000:01:00.1']);
    const [pf0, pf1] = tree;
    expect(pf0?.interfaces.map((i) => i.name)).toEqual(['enp1s0f0']);
    expect(pf0?.numVfs).toBe(2);
    expect(pf0?.totalVfs).toBe(7);
    expect(pf0?.vfs.map((v) => [v.index, v.address, v.device?.driver, v.interfaces.map((i) => i.name)])).toEqual([
      [0, '0000:01:10.0', 'igbvf', ['enp1s0f0v0']],
      [1, '0000:01:10.2', 'vfio-pci', []],
    ]);
    expect(pf1?.vfs).toEqual([]);
  });

  it('keeps VFs missing from the scan and adopts VFs missing from the PF list', () => {
    const pf = makeDevice({
      address: '0000:03:00.0',
      sriov: { totalVfs: 4, numVfs: 2, vfs: ['0000:03:02.0', '0000:03:02.1'], driversAutoprobe: false, vfSettings: null, bootRule: null },
    });
    const listed = makeDevice({ address: '0000:03:02.0', physfn: '0000:03:00.0', driver: 'ixgbevf' });
    const stray = makeDevice({ address: '0000:03:02.2', physfn: '0000:03:00.0' });
    const orphan = makeDevice({ address: '0000:09:10.0', physfn: '0000:09:00.0' });
    const scan: HostScan = { ...sampleScan, devices: [pf, listed, stray, orphan], interfaces: [] };
    const tree = buildSriovTree(scan);
    expect(tree.map((p) => p.address)).toEqual(['0000:03:00.0', '0000:09:00.0']);
    expect(tree[0]?.vfs.map((v) => [v.index, v.address, v.device !== null])).toEqual([
      [0, '0000:03:02.0', true],
      [1, '0000:03:02.1', false],
      [null, '0000:03:02.2', true],
    ]);
    expect(tree[1]?.device).toBeNull();
    expect(tree[1]?.totalVfs).toBeNull();
    expect(tree[1]?.vfs.map((v) => v.address)).toEqual(['0000:09:10.0']);
  });

  it('follows a VF count change in the next scan (what the Network and Topology views re-render from)', () => {
    const withoutVfs: HostScan = {
      ...sampleScan,
      devices: sampleScan.devices
        .filter((d) => d.physfn !== '0000:01:00.0')
        .map((d) => (d.address === '0000:01:00.0' ? { ...d, sriov: { ...d.sriov!, numVfs: 0, vfs: [], vfSettings: [] } } : d)),
    };
    expect(buildSriovTree(withoutVfs)[0]).toMatchObject({ numVfs: 0, vfs: [] });
    expect(buildSriovTree(sampleScan)[0]?.vfs).toHaveLength(2);
  });
});
