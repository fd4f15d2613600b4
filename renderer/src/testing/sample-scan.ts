/**
 * Realistic HostScan fixtures for the renderer's unit tests and for rendering the UI by hand.
 * Modelled on a Coffee Lake workstation with an Intel 82576 (igb, SR-IOV) card behind a root
 * port, an e1000e onboard NIC carrying the default route, and the PCH functions sharing one
 * IOMMU group. Never imported by the app bundle.
 */
import type { HostScan, IommuGroup, NetInterface, PciDevice, ReadinessCheck, VfioGroupUser } from '#shared/model';
import { assessGroup } from '#shared/group-passthrough';

/** A device with sensible defaults; only what differs needs spelling out. */
export function makeDevice(partial: Partial<PciDevice> & Pick<PciDevice, 'address'>): PciDevice {
  return {
    vendorId: '8086',
    deviceId: '0000',
    subsystemVendorId: null,
    subsystemDeviceId: null,
    classId: '000000',
    revision: '00',
    vendorName: 'Intel Corporation',
    deviceName: null,
    subsystemName: null,
    className: null,
    driver: null,
    driverOverride: null,
    modules: [],
    iommuGroup: null,
    numaNode: null,
    parent: null,
    rootBus: 'pci0000:00',
    resetMethods: [],
    sriov: null,
    physfn: null,
    interfaces: [],
    isBridge: false,
    bootVga: false,
    hostNeeds: [],
    acs: null,
    ...partial,
  };
}

export function makeInterface(partial: Partial<NetInterface> & Pick<NetInterface, 'name'>): NetInterface {
  return {
    mac: null,
    device: null,
    driver: null,
    operstate: 'down',
    speedMbps: null,
    mtu: 1500,
    addresses: [],
    defaultRoute: { ipv4: false, ipv6: false },
    master: null,
    ports: [],
    kind: 'physical',
    management: false,
    inUse: false,
    pfInterface: null,
    ...partial,
  };
}

const VIABLE_DRIVERS = new Set(['vfio-pci', 'pci-stub']);

/** Derives groups (members, viability, blockers) from the devices, as the host probe does. */
export function deriveGroups(devices: PciDevice[], openBy: Map<number, VfioGroupUser[]> = new Map()): IommuGroup[] {
  const byId = new Map<number, PciDevice[]>();
  for (const d of devices) {
    if (d.iommuGroup === null) continue;
    const list = byId.get(d.iommuGroup) ?? [];
    list.push(d);
    byId.set(d.iommuGroup, list);
  }
  return [...byId.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, members]) => {
      const blockers = members.filter((m) => m.driver !== null && !VIABLE_DRIVERS.has(m.driver) && !m.isBridge).map((m) => ({ address: m.address, driver: m.driver as string }));
      const addresses = members.map((m) => m.address);
      const passthrough = assessGroup(addresses, new Map(devices.map((d) => [d.address, d])));
      return { id, devices: addresses, viable: blockers.length === 0, passthrough, blockers, openBy: openBy.get(id) ?? [] };
    });
}

const devices: PciDevice[] = [
  makeDevice({
    address: '0000:00:00.0',
    deviceId: '3e30',
    classId: '060000',
    className: 'Host bridge',
    deviceName: '8th Gen Core 8-core Desktop Processor Host Bridge/DRAM Registers [Coffee Lake S]',
    driver: 'skl_uncore',
    modules: ['ie31200_edac'],
    iommuGroup: 0,
    isBridge: true,
    subsystemVendorId: '1028',
    subsystemDeviceId: '0869',
    subsystemName: 'Dell',
  }),
  makeDevice({
    address: '0000:00:01.0',
    deviceId: '1901',
    classId: '060400',
    className: 'PCI bridge',
    deviceName: '6th-10th Gen Core Processor PCIe Controller (x16)',
    driver: 'pcieport',
    iommuGroup: 1,
    isBridge: true,
    resetMethods: [],
  }),
  makeDevice({
    address: '0000:00:02.0',
    deviceId: '3e92',
    classId: '030000',
    className: 'VGA compatible controller',
    deviceName: 'CoffeeLake-S GT2 [UHD Graphics 630]',
    driver: 'i915',
    modules: ['i915'],
    iommuGroup: 2,
    bootVga: true,
    resetMethods: ['flr', 'bus'],
  }),
  makeDevice({
    address: '0000:00:14.0',
    deviceId: 'a36d',
    classId: '0c0330',
    className: 'USB controller',
    deviceName: 'Cannon Lake PCH USB 3.1 xHCI Host Controller',
    driver: 'xhci_hcd',
    modules: ['xhci_pci'],
    iommuGroup: 3,
    resetMethods: ['pm'],
  }),
  makeDevice({
    address: '0000:00:14.2',
    deviceId: 'a36f',
    classId: '050000',
    className: 'RAM memory',
    deviceName: 'Cannon Lake PCH Shared SRAM',
    iommuGroup: 3,
    resetMethods: ['pm'],
  }),
  makeDevice({
    address: '0000:00:16.0',
    deviceId: 'a360',
    classId: '078000',
    className: 'Communication controller',
    deviceName: 'Cannon Lake PCH HECI Controller',
    driver: 'mei_me',
    modules: ['mei_me'],
    iommuGroup: 4,
    resetMethods: ['pm'],
  }),
  makeDevice({
    address: '0000:00:17.0',
    deviceId: 'a352',
    classId: '010601',
    className: 'SATA controller',
    deviceName: 'Cannon Lake PCH SATA AHCI Controller',
    driver: 'ahci',
    modules: ['ahci'],
    iommuGroup: 5,
    resetMethods: ['pm'],
  }),
  makeDevice({
    address: '0000:00:1b.0',
    deviceId: 'a340',
    classId: '060400',
    className: 'PCI bridge',
    deviceName: 'Cannon Lake PCH PCI Express Root Port #17',
    driver: 'pcieport',
    iommuGroup: 6,
    isBridge: true,
  }),
  makeDevice({
    address: '0000:00:1c.0',
    deviceId: 'a338',
    classId: '060400',
    className: 'PCI bridge',
    deviceName: 'Cannon Lake PCH PCI Express Root Port #1',
    driver: 'pcieport',
    iommuGroup: 7,
    isBridge: true,
  }),
  makeDevice({
    address: '0000:00:1d.0',
    deviceId: 'a330',
    classId: '060400',
    className: 'PCI bridge',
    deviceName: 'Cannon Lake PCH PCI Express Root Port #9',
    driver: 'pcieport',
    iommuGroup: 8,
    isBridge: true,
  }),
  makeDevice({
    address: '0000:00:1f.0',
    deviceId: 'a306',
    classId: '060100',
    className: 'ISA bridge',
    deviceName: 'Q370 Chipset LPC/eSPI Controller',
    iommuGroup: 9,
    isBridge: true,
  }),
  makeDevice({
    address: '0000:00:1f.3',
    deviceId: 'a348',
    classId: '040300',
    className: 'Audio device',
    deviceName: 'Cannon Lake PCH cAVS',
    driver: 'snd_hda_intel',
    modules: ['snd_hda_intel', 'snd_sof_pci_intel_cnl'],
    iommuGroup: 9,
    resetMethods: ['flr'],
  }),
  makeDevice({
    address: '0000:00:1f.4',
    deviceId: 'a323',
    classId: '0c0500',
    className: 'SMBus',
    deviceName: 'Cannon Lake PCH SMBus Controller',
    driver: 'i801_smbus',
    modules: ['i2c_i801'],
    iommuGroup: 9,
  }),
  makeDevice({
    address: '0000:00:1f.6',
    deviceId: '15bb',
    classId: '020000',
    className: 'Ethernet controller',
    deviceName: 'Ethernet Connection (7) I219-LM',
    driver: 'e1000e',
    modules: ['e1000e'],
    iommuGroup: 9,
    interfaces: ['eno1'],
    resetMethods: ['flr'],
    subsystemVendorId: '1028',
    subsystemDeviceId: '0869',
    subsystemName: 'Dell',
    hostNeeds: [{ kind: 'management-nic', detail: "it carries the host's default IPv4 route (eno1)" }],
  }),
  // Intel 82576 dual-port card behind the CPU root port; port 0 has two VFs enabled.
  makeDevice({
    address: '0000:01:00.0',
    deviceId: '10c9',
    classId: '020000',
    className: 'Ethernet controller',
    deviceName: '82576 Gigabit Network Connection',
    revision: '01',
    driver: 'igb',
    modules: ['igb'],
    iommuGroup: 1,
    parent: '0000:00:01.0',
    numaNode: 0,
    interfaces: ['enp1s0f0'],
    resetMethods: ['flr', 'bus'],
    subsystemVendorId: '8086',
    subsystemDeviceId: '0000',
    sriov: {
      totalVfs: 7,
      numVfs: 2,
      vfs: ['0000:01:10.0', '0000:01:10.2'],
      driversAutoprobe: true,
      vfSettings: [
        { index: 0, mac: null, vlan: 0, qos: 0, spoofCheck: true, trust: false, linkState: 'auto' },
        { index: 1, mac: '02:5e:10:00:00:01', vlan: 10, qos: 3, spoofCheck: true, trust: true, linkState: 'enable' },
      ],
      bootRule: { numVfs: 2, autoprobe: true },
    },
  }),
  makeDevice({
    address: '0000:01:00.1',
    deviceId: '10c9',
    classId: '020000',
    className: 'Ethernet controller',
    deviceName: '82576 Gigabit Network Connection',
    revision: '01',
    driver: 'igb',
    modules: ['igb'],
    iommuGroup: 1,
    parent: '0000:00:01.0',
    numaNode: 0,
    interfaces: ['enp1s0f1'],
    resetMethods: ['flr', 'bus'],
    sriov: { totalVfs: 7, numVfs: 0, vfs: [], driversAutoprobe: true, vfSettings: [], bootRule: null },
  }),
  makeDevice({
    address: '0000:01:10.0',
    deviceId: '10ca',
    classId: '020000',
    className: 'Ethernet controller',
    deviceName: '82576 Virtual Function',
    revision: '01',
    driver: 'igbvf',
    modules: ['igbvf'],
    iommuGroup: 17,
    parent: '0000:00:01.0',
    numaNode: 0,
    physfn: '0000:01:00.0',
    interfaces: ['enp1s0f0v0'],
    resetMethods: ['flr'],
  }),
  makeDevice({
    address: '0000:01:10.2',
    deviceId: '10ca',
    classId: '020000',
    className: 'Ethernet controller',
    deviceName: '82576 Virtual Function',
    revision: '01',
    driver: 'vfio-pci',
    driverOverride: 'vfio-pci',
    modules: ['igbvf'],
    iommuGroup: 18,
    parent: '0000:00:01.0',
    numaNode: 0,
    physfn: '0000:01:00.0',
    resetMethods: ['flr'],
  }),
  // I210 on its own root port, already handed to vfio-pci: a viable shared group.
  makeDevice({
    address: '0000:02:00.0',
    deviceId: '1533',
    classId: '020000',
    className: 'Ethernet controller',
    deviceName: 'I210 Gigabit Network Connection',
    revision: '03',
    driver: 'vfio-pci',
    driverOverride: 'vfio-pci',
    modules: ['igb'],
    iommuGroup: 7,
    parent: '0000:00:1c.0',
    resetMethods: ['flr', 'bus'],
  }),
  makeDevice({
    address: '0000:03:00.0',
    vendorId: '144d',
    vendorName: 'Samsung Electronics Co Ltd',
    deviceId: 'a808',
    classId: '010802',
    className: 'Non-Volatile memory controller',
    deviceName: 'NVMe SSD Controller SM981/PM981/PM983',
    driver: 'nvme',
    modules: ['nvme'],
    iommuGroup: 8,
    parent: '0000:00:1d.0',
    resetMethods: ['flr', 'bus'],
  }),
  // A card pci.ids does not know: names are null, ids only.
  makeDevice({
    address: '0000:04:00.0',
    vendorId: '1ded',
    vendorName: null,
    deviceId: '8001',
    classId: '120000',
    className: null,
    iommuGroup: 10,
    parent: '0000:00:1b.0',
    resetMethods: null,
  }),
];

const interfaces: NetInterface[] = [
  makeInterface({
    name: 'lo',
    kind: 'loopback',
    operstate: 'unknown',
    inUse: true,
    mtu: 65536,
    mac: '00:00:00:00:00:00',
    addresses: [
      { family: 'ipv4', address: '127.0.0.1', prefixLength: 8, scope: 'host' },
      { family: 'ipv6', address: '::1', prefixLength: 128, scope: 'host' },
    ],
  }),
  makeInterface({
    name: 'eno1',
    mac: '8c:ec:4b:12:34:56',
    device: '0000:00:1f.6',
    driver: 'e1000e',
    operstate: 'up',
    speedMbps: 1000,
    management: true,
    inUse: true,
    defaultRoute: { ipv4: true, ipv6: true },
    addresses: [
      { family: 'ipv4', address: '192.168.1.10', prefixLength: 24, scope: 'global' },
      { family: 'ipv6', address: '2001:db8:1::10', prefixLength: 64, scope: 'global' },
      { family: 'ipv6', address: 'fe80::8eec:4bff:fe12:3456', prefixLength: 64, scope: 'link' },
    ],
  }),
  makeInterface({
    name: 'enp1s0f0',
    mac: '00:1b:21:aa:bb:00',
    device: '0000:01:00.0',
    driver: 'igb',
    operstate: 'up',
    speedMbps: 1000,
    master: 'br-lab',
    inUse: true,
  }),
  makeInterface({
    name: 'enp1s0f1',
    mac: '00:1b:21:aa:bb:01',
    device: '0000:01:00.1',
    driver: 'igb',
    operstate: 'down',
  }),
  makeInterface({
    name: 'enp1s0f0v0',
    mac: '2e:4f:81:0c:77:10',
    device: '0000:01:10.0',
    driver: 'igbvf',
    operstate: 'down',
    pfInterface: 'enp1s0f0',
  }),
  makeInterface({
    name: 'br-lab',
    kind: 'bridge',
    mac: '00:1b:21:aa:bb:00',
    operstate: 'up',
    ports: ['enp1s0f0', 'tap0'],
    inUse: true,
    addresses: [{ family: 'ipv4', address: '10.10.0.1', prefixLength: 24, scope: 'global' }],
  }),
  makeInterface({
    name: 'tap0',
    kind: 'tap',
    mac: 'fe:54:00:6d:1a:2b',
    operstate: 'up',
    master: 'br-lab',
    inUse: true,
  }),
  makeInterface({
    name: 'virbr0',
    kind: 'bridge',
    mac: '52:54:00:9f:00:01',
    operstate: 'down',
    inUse: true,
    addresses: [{ family: 'ipv4', address: '192.168.122.1', prefixLength: 24, scope: 'global' }],
  }),
];

const readiness: ReadinessCheck[] = [
  {
    id: 'cpu-virtualization',
    title: 'CPU virtualization',
    status: 'pass',
    detail: 'Intel VT-x (vmx) is present in /proc/cpuinfo.',
    remedy: null,
  },
  {
    id: 'kvm',
    title: 'KVM',
    status: 'pass',
    detail: '/dev/kvm exists and you can open it.',
    remedy: null,
  },
  {
    id: 'iommu-enabled',
    title: 'IOMMU',
    status: 'pass',
    detail: 'Intel VT-d (DMAR) is on: 2 IOMMU units (dmar0, dmar1), 13 groups.',
    remedy: null,
  },
  {
    id: 'iommu-mode',
    title: 'IOMMU mode',
    status: 'warn',
    detail: 'Host devices use translated DMA (iommu=pt is not set).',
    remedy: 'Optional: add iommu=pt to the kernel command line for faster host I/O.',
  },
  {
    id: 'interrupt-remapping',
    title: 'Interrupt remapping',
    status: 'pass',
    detail: 'Interrupts are remapped (IR-PCI-MSI in /proc/interrupts).',
    remedy: null,
  },
  {
    id: 'vfio-modules',
    title: 'VFIO modules',
    status: 'pass',
    detail: 'vfio, vfio_pci and vfio_iommu_type1 are loaded.',
    remedy: null,
  },
  {
    id: 'kernel-cmdline',
    title: 'Kernel command line',
    status: 'pass',
    detail: 'intel_iommu=on is set.',
    remedy: null,
  },
];

/** The workstation described above, as seen live. */
export const sampleScan: HostScan = {
  schemaVersion: 1,
  source: { kind: 'live', root: '/', capturedAt: null, hostname: 'atlas' },
  host: {
    kernel: '6.12.48+deb13-amd64',
    cmdline: 'BOOT_IMAGE=/vmlinuz-6.12.48+deb13-amd64 root=UUID=5c1d0b9e-7a1f-4d2b-9d1e-0f4b2c6d8e10 ro quiet intel_iommu=on',
    cpu: { vendor: 'GenuineIntel', virtualization: 'vmx', modelName: 'Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz' },
    kvm: true,
    kvmAccessible: true,
    iommu: {
      enabled: true,
      vendor: 'intel',
      units: ['dmar0', 'dmar1'],
      groupCount: 13,
      mode: 'translated',
      cmdlineArgs: ['intel_iommu=on'],
      interruptRemapping: true,
    },
    vfio: {
      loaded: ['vfio', 'vfio_pci', 'vfio_iommu_type1'],
      available: ['vfio', 'vfio_pci', 'vfio_iommu_type1'],
      unsafeInterrupts: false,
    },
  },
  devices,
  // The VF on vfio-pci (group 18) is in use by a running VM.
  groups: deriveGroups(devices, new Map([[18, [{ pid: 4242, command: 'qemu-system-x86' }]]])),
  interfaces,
  readiness,
};

/** The same host captured as a snapshot (read-only view). */
export const sampleSnapshotScan: HostScan = {
  ...sampleScan,
  source: {
    kind: 'snapshot',
    root: '/home/ana/passthru-snapshots/atlas-2025-11-20',
    capturedAt: '2025-11-20T14:32:05Z',
    hostname: 'atlas',
  },
};

/** A host whose IOMMU is off: no groups, failing checks. For empty and error states. */
export const sampleNoIommuScan: HostScan = {
  ...sampleScan,
  host: {
    ...sampleScan.host,
    cmdline: 'BOOT_IMAGE=/vmlinuz-6.12.48+deb13-amd64 root=UUID=5c1d0b9e ro quiet',
    iommu: {
      enabled: false,
      vendor: null,
      units: [],
      groupCount: 0,
      mode: null,
      cmdlineArgs: [],
      interruptRemapping: null,
    },
    vfio: { loaded: [], available: ['vfio', 'vfio_pci', 'vfio_iommu_type1'], unsafeInterrupts: null },
  },
  devices: devices.map((d) => ({ ...d, iommuGroup: null })),
  groups: [],
  readiness: sampleScan.readiness.map((c): ReadinessCheck => {
    if (c.id === 'iommu-enabled') {
      return {
        ...c,
        status: 'fail',
        detail: 'No IOMMU is active: /sys/class/iommu is empty and there are no IOMMU groups.',
        remedy: 'Enable VT-d in the firmware setup, then add intel_iommu=on to the kernel command line and reboot.',
      };
    }
    if (c.id === 'kernel-cmdline') {
      return { ...c, status: 'fail', detail: 'No IOMMU argument on the kernel command line.', remedy: 'Add intel_iommu=on and reboot.' };
    }
    if (c.id === 'vfio-modules') {
      return { ...c, status: 'warn', detail: 'vfio modules are available but not loaded.', remedy: 'They load on demand; or run: modprobe vfio-pci' };
    }
    return c;
  }),
};

/**
 * A synthetic host with `count` functions (bridges fanning out to NICs with VFs and
 * assorted endpoints), for checking that the views stay fast and bounded.
 */
export function makeLargeScan(count = 2000): HostScan {
  const list: PciDevice[] = [];
  const ifaces: NetInterface[] = [];
  const drivers = ['igb', 'ixgbe', 'nvme', 'ahci', 'xhci_hcd', 'vfio-pci', null, 'mlx5_core'];
  let group = 0;
  let bus = 0;
  while (list.length < count) {
    // Each root port (on bus 00 of its domain) leads to one bus of up to 8 functions.
    const domain = Math.floor(bus / 200);
    const local = bus % 200;
    const dom = domain.toString(16).padStart(4, '0');
    const rootBus = `pci${dom}:00`;
    const rootPort = `${dom}:00:${(1 + Math.floor(local / 8)).toString(16).padStart(2, '0')}.${local % 8}`;
    list.push(
      makeDevice({
        address: rootPort,
        deviceId: '1901',
        classId: '060400',
        className: 'PCI bridge',
        deviceName: 'PCIe Root Port',
        driver: 'pcieport',
        isBridge: true,
        iommuGroup: group++,
        rootBus,
      }),
    );
    const busHex = (local + 1).toString(16).padStart(2, '0');
    for (let fn = 0; fn < 8 && list.length < count; fn++) {
      const address = `${dom}:${busHex}:00.${fn}`;
      const driver = drivers[(bus + fn) % drivers.length] ?? null;
      const isNic = driver === 'igb' || driver === 'ixgbe' || driver === 'mlx5_core';
      const name = isNic ? `enp${local + 1}s0f${fn}` : null;
      list.push(
        makeDevice({
          address,
          deviceId: (0x1000 + fn).toString(16),
          classId: isNic ? '020000' : '010802',
          className: isNic ? 'Ethernet controller' : 'Non-Volatile memory controller',
          deviceName: isNic ? `Synthetic NIC ${bus}.${fn}` : `Synthetic disk ${bus}.${fn}`,
          driver,
          modules: driver ? [driver] : [],
          iommuGroup: group,
          parent: rootPort,
          rootBus,
          numaNode: domain % 2,
          interfaces: name ? [name] : [],
          resetMethods: ['flr'],
        }),
      );
      if (name) ifaces.push(makeInterface({ name, device: address, driver, operstate: 'up', speedMbps: 10000 }));
    }
    group++;
    bus++;
  }
  return {
    ...sampleScan,
    host: { ...sampleScan.host, iommu: { ...sampleScan.host.iommu, groupCount: group } },
    devices: list,
    groups: deriveGroups(list),
    interfaces: ifaces,
  };
}
