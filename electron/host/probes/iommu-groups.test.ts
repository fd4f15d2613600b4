import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IommuGroup } from '#shared/model';
import { RootFs } from '../fs/root-fs';
import { buildFakeHost, labHostSpec, TreeWriter } from '../testing/fake-sysfs';
import { probeIommuGroups } from './iommu-groups';
import { probePciDevices } from './pci-devices';

let root: string;
let groups: IommuGroup[];
const group = (id: number): IommuGroup | undefined => groups.find((g) => g.id === id);

beforeAll(() => {
  root = buildFakeHost(labHostSpec());
  const fs = new RootFs(root);
  groups = probeIommuGroups(fs, probePciDevices(fs));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('probeIommuGroups', () => {
  it('lists groups sorted by number with members sorted by address', () => {
    expect(groups.map((g) => g.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(group(7)?.devices).toEqual(['0000:00:1f.0', '0000:00:1f.2', '0000:00:1f.3']);
  });

  it('a lone driver-less host bridge is viable', () => {
    expect(group(0)).toEqual({
      id: 0,
      devices: ['0000:00:00.0'],
      viable: true,
      passthrough: { state: 'host-only', reasons: [expect.stringContaining('0000:00:00.0')], members: [], joinedBy: [], options: [] },
      blockers: [],
      openBy: [],
    });
  });

  it('a PF on its native driver blocks its group, the bridge does not', () => {
    expect(group(2)).toEqual({
      id: 2,
      devices: ['0000:00:02.0', '0000:01:00.0'],
      viable: false,
      passthrough: {
        state: 'assignable',
        reasons: [expect.stringMatching(/^0000:01:00\.0 is on igb.*Bridges in the group \(0000:00:02\.0\) stay with the host/)],
        members: ['0000:01:00.0'],
        joinedBy: [],
        options: [],
      },
      blockers: [{ address: '0000:01:00.0', driver: 'igb' }],
      openBy: [],
    });
  });

  it('VFs in their own groups: igbvf blocks, vfio-pci is viable', () => {
    expect(group(3)?.blockers).toEqual([{ address: '0000:01:10.0', driver: 'igbvf' }]);
    expect(group(4)).toMatchObject({ viable: true, blockers: [], openBy: [] });
  });

  it('a shared group of a bridge and a vfio-pci device is viable', () => {
    expect(group(5)).toEqual({
      id: 5,
      devices: ['0000:00:03.0', '0000:02:00.0'],
      viable: true,
      passthrough: { state: 'ready', reasons: ['0000:02:00.0 is on vfio-pci: a VM can take it now.'], members: ['0000:02:00.0'], joinedBy: [], options: [] },
      blockers: [],
      openBy: [],
    });
  });

  it('a driver-less device is viable', () => {
    expect(group(6)).toMatchObject({ devices: ['0000:00:04.0'], viable: true });
  });

  // The fake tree's config space is a bare header (no capabilities): conventional PCI, which joins by itself.
  it('names the non-vfio member of a group whose other member is on vfio-pci', () => {
    expect(group(8)).toEqual({
      id: 8,
      devices: ['0000:00:05.0', '0000:03:00.0', '0000:03:00.1'],
      viable: false,
      passthrough: {
        state: 'shared',
        reasons: [expect.stringContaining('0000:03:00.1 (snd_hda_intel)')],
        members: ['0000:03:00.0', '0000:03:00.1'],
        joinedBy: [
          expect.stringMatching(/^0000:03:00\.0 and 0000:03:00\.1 are functions of one conventional PCI device/),
          expect.stringMatching(/sit behind the conventional PCI bridge 0000:00:05\.0/),
        ],
        options: expect.arrayContaining([expect.stringMatching(/^Give the whole group to one VM/)]),
      },
      blockers: [{ address: '0000:03:00.1', driver: 'snd_hda_intel' }],
      openBy: [],
    });
  });

  it('an ISA bridge on lpc_ich is no blocker, ahci and i801_smbus are', () => {
    expect(group(7)?.blockers).toEqual([
      { address: '0000:00:1f.2', driver: 'ahci' },
      { address: '0000:00:1f.3', driver: 'i801_smbus' },
    ]);
  });

  it('accepts pci-stub, and reads members missing from the device list from sysfs', () => {
    const r = buildFakeHost({
      devices: [
        { address: '0000:00:06.0', vendor: '8086', device: '10d3', classId: '020000', driver: 'pci-stub', iommuGroup: 9 },
        { address: '0000:00:06.1', vendor: '8086', device: '10d3', classId: '020000', driver: 'e1000e', iommuGroup: 9 },
      ],
    });
    try {
      const fs = new RootFs(r);
      const known = probePciDevices(fs).filter((d) => d.address === '0000:00:06.0');
      expect(probeIommuGroups(fs, known)).toEqual([
        {
          id: 9,
          devices: ['0000:00:06.0', '0000:00:06.1'],
          viable: false,
          blockers: [{ address: '0000:00:06.1', driver: 'e1000e' }],
          openBy: [],
          passthrough: {
            state: 'shared',
            reasons: [expect.stringContaining('0000:00:06.1 (e1000e)')],
            members: ['0000:00:06.0', '0000:00:06.1'],
            joinedBy: [expect.stringMatching(/functions of one device \(slot 0000:00:06\)/)],
            options: expect.any(Array),
          },
        },
      ]);
    } finally {
      fs.rmSync(r, { recursive: true, force: true });
    }
  });

  it('is empty without IOMMU groups', () => {
    const r = buildFakeHost({ devices: [] });
    try {
      new TreeWriter(r).file('/sys/kernel/iommu_groups/README', '');
      expect(probeIommuGroups(new RootFs(r), [])).toEqual([]);
    } finally {
      fs.rmSync(r, { recursive: true, force: true });
    }
  });
});
