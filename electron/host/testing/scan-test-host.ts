/**
 * Test-only: a small but complete fake host laid out as the kernel does — an Intel 82576
 * SR-IOV NIC (the card of the original write-up) with two VFs, its second port already on
 * vfio-pci, a SATA controller, VT-d on in passthrough mode, a bridge carrying the default
 * route over the PF — so the scanner, the snapshot writer and the CLI are exercised on every
 * part of the HostScan contract without real hardware.
 */
import { posix } from 'node:path';
import { netIface, writeTree, type Tree } from './network-test-tree';
import { SNAPSHOT_IP_STATE_PATH } from '../snapshot-format';
import type { IpCapture } from '../probes/ip-state';

interface FakePci {
  address: string;
  parent?: string;
  vendor: string;
  device: string;
  subVendor?: string;
  subDevice?: string;
  classId: string;
  revision?: string;
  driver?: string;
  override?: string;
  group: number;
  numa?: number;
  reset?: string;
  sriov?: { total: number; vfs: string[] };
  physfn?: string;
}

export const FAKE_KERNEL = '6.1.0-passthru-test';

export const FAKE_PCI: FakePci[] = [
  { address: '0000:00:00.0', vendor: '8086', device: '3e30', classId: '060000', group: 0 },
  { address: '0000:00:01.0', vendor: '8086', device: '1901', classId: '060400', driver: 'pcieport', group: 1, revision: '0d' },
  {
    address: '0000:01:00.0',
    parent: '0000:00:01.0',
    vendor: '8086',
    device: '10c9',
    subVendor: '8086',
    subDevice: 'a03c',
    classId: '020000',
    revision: '01',
    driver: 'igb',
    group: 1,
    numa: 0,
    reset: 'flr bus',
    sriov: { total: 7, vfs: ['0000:01:10.0', '0000:01:10.2'] },
  },
  {
    address: '0000:01:00.1',
    parent: '0000:00:01.0',
    vendor: '8086',
    device: '10c9',
    subVendor: '8086',
    subDevice: 'a03c',
    classId: '020000',
    revision: '01',
    driver: 'vfio-pci',
    override: 'vfio-pci',
    group: 1,
    numa: 0,
    reset: 'flr bus',
    sriov: { total: 7, vfs: [] },
  },
  {
    address: '0000:01:10.0',
    parent: '0000:00:01.0',
    vendor: '8086',
    device: '10ca',
    subVendor: '8086',
    subDevice: 'a03c',
    classId: '020000',
    revision: '01',
    driver: 'igbvf',
    group: 2,
    physfn: '0000:01:00.0',
    reset: 'flr',
  },
  {
    address: '0000:01:10.2',
    parent: '0000:00:01.0',
    vendor: '8086',
    device: '10ca',
    subVendor: '8086',
    subDevice: 'a03c',
    classId: '020000',
    revision: '01',
    group: 3,
    physfn: '0000:01:00.0',
    reset: 'flr',
  },
  { address: '0000:00:1f.2', vendor: '8086', device: 'a352', subVendor: '1028', subDevice: '0869', classId: '010601', revision: '10', driver: 'ahci', group: 4 },
];

const PCI_IDS = `# test excerpt of pci.ids
8086  Intel Corporation
\t10c9  82576 Gigabit Network Connection
\t\t8086 a03c  Ethernet Server Adapter I340-T4
\t10ca  82576 Virtual Function
\t1901  6th-10th Gen Core Processor PCIe Controller (x16)
\t3e30  8th Gen Core 8 Core Desktop Processor Host Bridge/DRAM Registers [Coffee Lake S]
\ta352  Cannon Lake PCH SATA AHCI Controller
1028  Dell
C 01  Mass storage controller
\t06  SATA controller
\t\t01  AHCI 1.0
C 02  Network controller
\t00  Ethernet controller
C 06  Bridge
\t00  Host bridge
\t04  PCI bridge
`;

const MODULES_ALIAS = `# Aliases extracted from modules themselves.
alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb
alias pci:v00008086d000010CAsv*sd*bc*sc*i* igbvf
alias pci:v*d*sv*sd*bc01sc06i01* ahci
alias pci:v*d*sv*sd*bc06sc04i00* shpchp
`;

/** What `ip -j` would print on that host; stored where a snapshot keeps it. */
export const FAKE_IP: IpCapture = {
  formatVersion: 1,
  address: [
    { ifindex: 1, ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }] },
    { ifindex: 2, ifname: 'enp1s0f0', master: 'br0', addr_info: [] },
    { ifindex: 3, ifname: 'enp1s0f0v0', addr_info: [] },
    {
      ifindex: 4,
      ifname: 'br0',
      addr_info: [
        { family: 'inet', local: '192.168.1.10', prefixlen: 24, scope: 'global' },
        { family: 'inet6', local: 'fe80::21b:21ff:fe00:0', prefixlen: 64, scope: 'link' },
      ],
    },
  ],
  route4: [
    { dst: 'default', gateway: '192.168.1.1', dev: 'br0', protocol: 'dhcp', flags: [] },
    { dst: '192.168.1.0/24', dev: 'br0', protocol: 'kernel', scope: 'link', prefsrc: '192.168.1.10', flags: [] },
  ],
  route6: [{ dst: 'fe80::/64', dev: 'br0', protocol: 'kernel', metric: 256, flags: [], pref: 'medium' }],
};

function pciTree(d: FakePci): Tree {
  const dir = d.parent ? `/sys/devices/pci0000:00/${d.parent}/${d.address}` : `/sys/devices/pci0000:00/${d.address}`;
  const rel = (from: string, to: string): { link: string } => ({ link: posix.relative(from, to) });
  const sv = d.subVendor ?? '0000';
  const sd = d.subDevice ?? '0000';
  const up = (s: string): string => s.toUpperCase();
  const modalias = `pci:v0000${up(d.vendor)}d0000${up(d.device)}sv0000${up(sv)}sd0000${up(sd)}bc${up(d.classId.slice(0, 2))}sc${up(d.classId.slice(2, 4))}i${up(d.classId.slice(4))}`;
  const t: Tree = {
    [`/sys/bus/pci/devices/${d.address}`]: rel('/sys/bus/pci/devices', dir),
    [`${dir}/uevent`]:
      (d.driver ? `DRIVER=${d.driver}\n` : '') +
      `PCI_CLASS=${d.classId.replace(/^0/, '').toUpperCase()}\nPCI_ID=${up(d.vendor)}:${up(d.device)}\n` +
      `PCI_SUBSYS_ID=${up(sv)}:${up(sd)}\nPCI_SLOT_NAME=${d.address}\nMODALIAS=${modalias}\n`,
    [`${dir}/vendor`]: `0x${d.vendor}\n`,
    [`${dir}/device`]: `0x${d.device}\n`,
    [`${dir}/class`]: `0x${d.classId}\n`,
    [`${dir}/subsystem_vendor`]: `0x${sv}\n`,
    [`${dir}/subsystem_device`]: `0x${sd}\n`,
    [`${dir}/revision`]: `0x${d.revision ?? '00'}\n`,
    [`${dir}/modalias`]: `${modalias}\n`,
    [`${dir}/numa_node`]: `${d.numa ?? -1}\n`,
    [`${dir}/driver_override`]: `${d.override ?? '(null)'}\n`,
    [`${dir}/iommu_group`]: rel(dir, `/sys/kernel/iommu_groups/${d.group}`),
    [`/sys/kernel/iommu_groups/${d.group}/devices/${d.address}`]: rel(`/sys/kernel/iommu_groups/${d.group}/devices`, dir),
    [`/sys/kernel/iommu_groups/${d.group}/type`]: 'identity\n',
  };
  if (d.reset !== undefined) t[`${dir}/reset_method`] = `${d.reset}\n`;
  if (d.driver) t[`${dir}/driver`] = rel(dir, `/sys/bus/pci/drivers/${d.driver}`);
  if (d.physfn) t[`${dir}/physfn`] = rel(dir, `/sys/devices/pci0000:00/${d.parent}/${d.physfn}`);
  if (d.sriov) {
    t[`${dir}/sriov_totalvfs`] = `${d.sriov.total}\n`;
    t[`${dir}/sriov_numvfs`] = `${d.sriov.vfs.length}\n`;
    t[`${dir}/sriov_drivers_autoprobe`] = '1\n';
    d.sriov.vfs.forEach((vf, i) => {
      t[`${dir}/virtfn${i}`] = rel(dir, `/sys/devices/pci0000:00/${d.parent}/${vf}`);
    });
  }
  return t;
}

/** Writes the fake host under `root` (an empty directory). */
export function writeFakeHost(root: string): void {
  const tree: Tree = {
    '/proc/sys/kernel/osrelease': `${FAKE_KERNEL}\n`,
    '/proc/sys/kernel/hostname': 'fakehost\n',
    '/proc/cmdline': 'BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 ro quiet intel_iommu=on iommu=pt\n',
    '/proc/cpuinfo': 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-9700 CPU @ 3.00GHz\nflags\t\t: fpu vme vmx sse2\n\nprocessor\t: 1\n',
    '/proc/interrupts': '           CPU0\n 24:          0  IR-PCI-MSI 1048576-edge      enp1s0f0\n',
    '/dev/kvm': '',
    '/sys/class/iommu/dmar0': { dir: true },
    '/sys/module/vfio': { dir: true },
    '/sys/module/vfio_pci': { dir: true },
    '/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts': 'N\n',
    [`/lib/modules/${FAKE_KERNEL}/modules.alias`]: MODULES_ALIAS,
    [`/lib/modules/${FAKE_KERNEL}/modules.dep`]:
      'kernel/drivers/vfio/vfio.ko:\nkernel/drivers/vfio/pci/vfio-pci.ko: kernel/drivers/vfio/vfio.ko\nkernel/drivers/vfio/vfio_iommu_type1.ko: kernel/drivers/vfio/vfio.ko\n',
    '/usr/share/misc/pci.ids': PCI_IDS,
    // procfs routes too, as a host without iproute2 would offer them (the capture wins).
    '/proc/net/route': 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\nbr0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n',
    [SNAPSHOT_IP_STATE_PATH]: JSON.stringify(FAKE_IP),
    ...netIface('lo', { ifindex: 1, type: 772, mac: '00:00:00:00:00:00', operstate: 'unknown', mtu: 65536 }),
    ...netIface('enp1s0f0', { ifindex: 2, mac: '00:1b:21:00:00:00', speed: 1000, pci: '0000:01:00.0', pciParent: 'pci0000:00/0000:00:01.0', master: 'br0' }),
    ...netIface('enp1s0f0v0', { ifindex: 3, mac: '62:1a:00:00:00:01', operstate: 'down', pci: '0000:01:10.0', pciParent: 'pci0000:00/0000:00:01.0' }),
    ...netIface('br0', { ifindex: 4, mac: '00:1b:21:00:00:00', devtype: 'bridge', bridgePorts: ['enp1s0f0'], lowers: ['enp1s0f0'] }),
  };
  for (const d of FAKE_PCI) Object.assign(tree, pciTree(d));
  writeTree(root, tree);
}
