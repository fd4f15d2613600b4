import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PciDevice } from '#shared/model';
import { RootFs } from '../fs/root-fs';
import { buildFakeHost, labHostSpec, TreeWriter } from '../testing/fake-sysfs';
import { buildModalias, comparePciAddresses, interfacesByFunction, kernelAtLeast, parseUevent, probePciDevices } from './pci-devices';

let root: string;
let devices: PciDevice[];
const byAddr = (a: string): PciDevice => {
  const d = devices.find((x) => x.address === a);
  if (d === undefined) throw new Error(`no device ${a}`);
  return d;
};

beforeAll(() => {
  root = buildFakeHost(labHostSpec());
  devices = probePciDevices(new RootFs(root));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('probePciDevices on the fake lab host', () => {
  it('lists every function, sorted by address', () => {
    expect(devices.map((d) => d.address)).toEqual([
      '0000:00:00.0',
      '0000:00:01.0',
      '0000:00:02.0',
      '0000:00:03.0',
      '0000:00:04.0',
      '0000:00:05.0',
      '0000:00:1f.0',
      '0000:00:1f.2',
      '0000:00:1f.3',
      '0000:01:00.0',
      '0000:01:10.0',
      '0000:01:10.2',
      '0000:02:00.0',
      '0000:03:00.0',
      '0000:03:00.1',
    ]);
  });

  it('fills every field of an SR-IOV PF', () => {
    expect(byAddr('0000:01:00.0')).toEqual({
      address: '0000:01:00.0',
      vendorId: '8086',
      deviceId: '10c9',
      subsystemVendorId: '8086',
      subsystemDeviceId: 'a03c',
      classId: '020000',
      revision: '00',
      vendorName: 'Intel Corporation',
      deviceName: '82576 Gigabit Network Connection',
      subsystemName: 'Intel Corporation Gigabit ET Dual Port Server Adapter',
      className: 'Ethernet controller',
      driver: 'igb',
      driverOverride: null,
      modules: ['igb'],
      iommuGroup: 2,
      numaNode: 0,
      parent: '0000:00:02.0',
      rootBus: 'pci0000:00',
      resetMethods: ['flr', 'bus'],
      sriov: { totalVfs: 7, numVfs: 2, vfs: ['0000:01:10.0', '0000:01:10.2'], driversAutoprobe: true, vfSettings: null, bootRule: null },
      physfn: null,
      interfaces: ['enp1s0'],
      isBridge: false,
      bootVga: false,
      hostNeeds: [],
      // The fake tree's config is a bare 256-byte header: conventional PCI, as those bytes say.
      acs: { configSize: 256, portType: 'conventional', multifunction: false, present: false, capability: null, control: null, isolates: false, missing: [] },
    } satisfies PciDevice);
  });

  it('links VFs to their PF and reads their own driver and override', () => {
    const vf0 = byAddr('0000:01:10.0');
    const vf2 = byAddr('0000:01:10.2');
    expect(vf0).toMatchObject({ physfn: '0000:01:00.0', driver: 'igbvf', modules: ['igbvf'], sriov: null, interfaces: ['enp1s0v0'] });
    expect(vf0.deviceName).toBe('82576 Virtual Function');
    expect(vf2).toMatchObject({ physfn: '0000:01:00.0', driver: 'vfio-pci', driverOverride: 'vfio-pci', iommuGroup: 4 });
    expect(vf2.parent).toBe('0000:00:02.0');
  });

  it('handles a device without driver, read without uevent', () => {
    expect(byAddr('0000:00:04.0')).toMatchObject({
      driver: null,
      modules: ['e1000e'],
      deviceName: '82574L Gigabit Network Connection',
      subsystemVendorId: '8086',
      subsystemDeviceId: '0000',
      subsystemName: 'Intel Corporation',
    });
  });

  it('reports bridges, a host bridge with no reset method, and unknown names as null', () => {
    expect(byAddr('0000:00:00.0')).toMatchObject({
      isBridge: true,
      className: 'Host bridge',
      // Kernel 6.1 hides reset_method when a device cannot be reset at all.
      resetMethods: [],
      subsystemVendorId: null,
      subsystemDeviceId: null,
      subsystemName: null,
      parent: null,
      numaNode: null,
    });
    expect(byAddr('0000:00:02.0')).toMatchObject({ isBridge: true, className: 'PCI bridge', driver: 'pcieport' });
    expect(byAddr('0000:00:1f.0')).toMatchObject({ isBridge: true, className: 'ISA bridge' });
    const vga = byAddr('0000:00:01.0');
    expect(vga).toMatchObject({ vendorName: null, deviceName: null, className: 'VGA compatible controller', bootVga: true });
  });

  it('matches modules by class wildcards and keeps file order', () => {
    expect(byAddr('0000:00:1f.2').modules).toEqual(['ahci']);
    expect(byAddr('0000:03:00.0').modules).toEqual(['nouveau']);
    expect(byAddr('0000:03:00.1').modules).toEqual(['snd_hda_intel']);
    expect(byAddr('0000:03:00.1').className).toBe('Audio device');
  });

  it('finds virtio-net interfaces under the virtio child device', () => {
    const r = buildFakeHost({
      devices: [{ address: '0000:00:03.0', vendor: '1af4', device: '1041', classId: '020000', driver: 'virtio-pci', virtio: { index: 2, net: ['eth0'] } }],
    });
    try {
      expect(probePciDevices(new RootFs(r))[0]?.interfaces).toEqual(['eth0']);
    } finally {
      fs.rmSync(r, { recursive: true, force: true });
    }
  });

  it('maps /sys/class/net links to functions, but not USB or virtual netdevs', () => {
    const r = buildFakeHost({
      devices: [{ address: '0000:00:14.0', vendor: '8086', device: 'a36d', classId: '0c0330', driver: 'xhci_hcd' }],
    });
    try {
      const w = new TreeWriter(r);
      w.link('/sys/class/net/lo', '../../devices/virtual/net/lo');
      w.link('/sys/class/net/enx00e04c', '../../devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/net/enx00e04c');
      w.link('/sys/class/net/odd', '../../devices/pci0000:00/0000:00:14.0/net/other-name');
      expect(interfacesByFunction(new RootFs(r))).toEqual(new Map());
      expect(probePciDevices(new RootFs(r))[0]?.interfaces).toEqual([]);
    } finally {
      fs.rmSync(r, { recursive: true, force: true });
    }
  });

  it('copes with no pci.ids, no modules and an empty bus', () => {
    const r = buildFakeHost({ pciIds: null, devices: [{ address: '0000:00:00.0', vendor: '8086', device: '29c0', classId: '060000' }] });
    try {
      const [d] = probePciDevices(new RootFs(r));
      expect(d).toMatchObject({ vendorName: null, deviceName: null, className: null, modules: [], iommuGroup: null });
      fs.rmSync(`${r}/sys/bus/pci/devices/0000:00:00.0`);
      expect(probePciDevices(new RootFs(r))).toEqual([]);
    } finally {
      fs.rmSync(r, { recursive: true, force: true });
    }
  });

  it('skips a device whose directory vanished and tolerates a junk entry', () => {
    const r = buildFakeHost({ devices: [{ address: '0000:00:00.0', vendor: '8086', device: '29c0', classId: '060000' }] });
    try {
      new TreeWriter(r).link('/sys/bus/pci/devices/0000:00:09.0', '../../../devices/pci0000:00/0000:00:09.0');
      new TreeWriter(r).file('/sys/bus/pci/devices/README', 'x');
      expect(probePciDevices(new RootFs(r)).map((d) => d.address)).toEqual(['0000:00:00.0']);
    } finally {
      fs.rmSync(r, { recursive: true, force: true });
    }
  });
});

describe('helpers', () => {
  it('parses a kernel uevent', () => {
    const id = parseUevent(
      'DRIVER=virtio-pci\nPCI_CLASS=20000\nPCI_ID=1AF4:1041\nPCI_SUBSYS_ID=1AF4:1041\nPCI_SLOT_NAME=0000:00:03.0\nMODALIAS=pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00\n',
    );
    expect(id).toEqual({
      vendorId: '1af4',
      deviceId: '1041',
      subVendorRaw: '1af4',
      subDeviceRaw: '1041',
      classId: '020000',
      driver: 'virtio-pci',
      modalias: 'pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00',
    });
    expect(parseUevent('DRIVER=x\n')).toBeNull();
  });

  it('builds the kernel modalias format', () => {
    expect(buildModalias('8086', '10c9', '0000', '0000', '020000')).toBe('pci:v00008086d000010C9sv00000000sd00000000bc02sc00i00');
  });

  it('orders addresses numerically, wide domains last', () => {
    const list = ['10000:00:00.0', '0000:0a:00.0', '0000:02:00.1', '0000:02:00.0'];
    expect(list.sort(comparePciAddresses)).toEqual(['0000:02:00.0', '0000:02:00.1', '0000:0a:00.0', '10000:00:00.0']);
  });
});

describe('reset methods across kernel versions', () => {
  it('reads a missing reset_method as "none" from 5.15 on and as unknown before', () => {
    const spec = labHostSpec();
    const old = buildFakeHost({ ...spec, kernel: '5.10.0-30-amd64' });
    try {
      const hostBridge = probePciDevices(new RootFs(old)).find((d) => d.address === '0000:00:00.0');
      expect(hostBridge?.resetMethods).toBeNull();
    } finally {
      fs.rmSync(old, { recursive: true, force: true });
    }
  });

  it('compares kernel releases by major.minor', () => {
    expect(kernelAtLeast('5.15.0-1-amd64', 5, 15)).toBe(true);
    expect(kernelAtLeast('6.1.0-56-amd64', 5, 15)).toBe(true);
    expect(kernelAtLeast('5.4.0', 5, 15)).toBe(false);
    expect(kernelAtLeast('4.19.0', 5, 15)).toBe(false);
    expect(kernelAtLeast(null, 5, 15)).toBe(false);
  });
});
