import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Builds fake host trees for tests, laid out the way the kernel does it: real directories
 * under /sys/devices/pci0000:00/..., relative symlinks from /sys/bus/pci/devices, `driver`
 * links into /sys/bus/pci/drivers, `iommu_group` links into /sys/kernel/iommu_groups and the
 * group's `devices/` links back, `physfn`/`virtfnN` between SR-IOV functions — so probes are
 * tested against the same shapes they meet on a real machine.
 */

export interface FakePciFunction {
  address: string;
  vendor: string;
  device: string;
  /** Defaults to `0000` (no subsystem). */
  subsystemVendor?: string;
  subsystemDevice?: string;
  /** Six hex digits, e.g. `020000`. */
  classId: string;
  revision?: string;
  driver?: string | null;
  driverOverride?: string | null;
  iommuGroup?: number | null;
  /** Written as is; defaults to -1 (no NUMA affinity). */
  numaNode?: number;
  /** Content of reset_method; null leaves the file out (kernel < 5.15). Default `flr bus`. */
  resetMethod?: string | null;
  /** Upstream bridge address; omitted or null puts the function on the root bus. */
  parent?: string | null;
  /** For a PF: total VFs and the addresses of the enabled VFs (which must be listed as functions). */
  sriov?: { totalVfs: number; vfs: string[]; autoprobe?: boolean };
  /** Interface names in `net/` (also linked from /sys/class/net). */
  net?: string[];
  /** For virtio devices: the virtio child index and the interfaces under `virtioN/net/`. */
  virtio?: { index: number; net?: string[] };
  bootVga?: boolean;
  /** Write `uevent` (default true); false exercises the per-attribute fallback. */
  uevent?: boolean;
}

export interface FakeHostSpec {
  kernel?: string;
  cmdline?: string;
  /** Full /proc/cpuinfo; defaults to two Intel cores with vmx. */
  cpuinfo?: string;
  kvm?: boolean;
  /** Names under /sys/class/iommu, e.g. ['dmar0']. */
  iommuUnits?: string[];
  /** Content of every group's `type` file (default `DMA-FQ`); per group via a record. */
  groupType?: string | Record<number, string>;
  /** /proc/interrupts content; null leaves it out. */
  interrupts?: string | null;
  /** Module names present in /sys/module. */
  loadedModules?: string[];
  /** /sys/module/<m>/parameters/<p> contents. */
  moduleParams?: Record<string, Record<string, string>>;
  /** pci.ids content (default: {@link MINI_PCI_IDS}); null leaves it out. */
  pciIds?: string | null;
  /** Files placed in /lib/modules/<kernel>/ (name → content). */
  moduleFiles?: Record<string, string>;
  /**
   * Attributes of the interfaces named in the functions' `net` lists, as a real netdev has them
   * (type, address, operstate, mtu, speed, `device` link); a name without an entry gets only
   * `ifindex` (2).
   */
  netdevs?: Record<string, FakeNetdev>;
  devices: FakePciFunction[];
}

export interface FakeNetdev {
  ifindex: number;
  mac: string;
  operstate: 'up' | 'down';
  mtu?: number;
  /** Omitted or null: reading `speed` fails, as for a link that is down. */
  speedMbps?: number | null;
}

/** A small pci.ids with real entries for the devices of {@link labHostSpec}. */
export const MINI_PCI_IDS = `# test pci.ids
10de  NVIDIA Corporation
\t10f0  GP104 High Definition Audio Controller
\t1b80  GP104 [GeForce GTX 1080]
\t\t10de 119e  GeForce GTX 1080
1af4  Red Hat, Inc.
\t1041  Virtio 1.0 network device
1b36  Red Hat, Inc.
\t000c  QEMU PCIe Root port
8086  Intel Corporation
\t10c9  82576 Gigabit Network Connection
\t\t8086 a03c  Gigabit ET Dual Port Server Adapter
\t10ca  82576 Virtual Function
\t10d3  82574L Gigabit Network Connection
\t2918  82801IB (ICH9) LPC Interface Controller
\t2922  82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]
\t2930  82801I (ICH9 Family) SMBus Controller
\t29c0  82G33/G31/P35/P31 Express DRAM Controller
C 01  Mass storage controller
\t06  SATA controller
\t\t01  AHCI 1.0
C 02  Network controller
\t00  Ethernet controller
C 03  Display controller
\t00  VGA compatible controller
C 04  Multimedia controller
\t03  Audio device
C 06  Bridge
\t00  Host bridge
\t01  ISA bridge
\t04  PCI bridge
\t\t00  Normal decode
C 0c  Serial bus controller
\t05  SMBus
`;

/** A two-core Intel /proc/cpuinfo with VT-x (the default of fake hosts). */
export const INTEL_CPUINFO = ['processor\t: 0', 'processor\t: 1']
  .map((p) => [p, 'vendor_id\t: GenuineIntel', 'model name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz', 'flags\t\t: fpu vme de pse tsc msr pae mce vmx smx est', ''].join('\n'))
  .join('\n');

/**
 * A q35-like lab host with an Intel IOMMU: an 82576 PF with two VFs (one on igbvf, one on
 * vfio-pci) sharing nothing, the PF in a group with its root port, a virtio NIC on vfio-pci
 * behind its own root port (viable shared group with a bridge), a driver-less 82574L, a GPU
 * on vfio-pci whose audio function is still on snd_hda_intel (non-viable), the ICH9 trio.
 */
export function labHostSpec(): FakeHostSpec {
  return {
    kernel: '6.1.0-lab',
    cmdline: 'BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro intel_iommu=on iommu=pt quiet',
    iommuUnits: ['dmar0'],
    groupType: 'identity',
    interrupts: '           CPU0       CPU1\n 24:          0          0  IR-PCI-MSI-0000:01:00.0    0-edge      enp1s0\n',
    loadedModules: ['vfio', 'vfio_pci', 'vfio_iommu_type1', 'igb'],
    moduleParams: { vfio_iommu_type1: { allow_unsafe_interrupts: 'N' } },
    moduleFiles: {
      'modules.alias':
        '# Aliases extracted from modules themselves.\n' +
        'alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb\n' +
        'alias pci:v00008086d000010CAsv*sd*bc*sc*i* igbvf\n' +
        'alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n' +
        'alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci\n' +
        'alias pci:v*d*sv*sd*bc01sc06i01* ahci\n' +
        'alias pci:v00008086d00002922sv*sd*bc*sc*i* ahci\n' +
        'alias pci:v000010DEd*sv*sd*bc03sc*i* nouveau\n' +
        'alias pci:v*d*sv*sd*bc04sc03i* snd_hda_intel\n',
      'modules.dep': 'kernel/drivers/vfio/vfio.ko:\nkernel/drivers/vfio/pci/vfio-pci.ko: kernel/drivers/vfio/vfio.ko\n',
      'modules.builtin': 'kernel/drivers/vfio/vfio_iommu_type1.ko\n',
    },
    devices: [
      { address: '0000:00:00.0', vendor: '8086', device: '29c0', classId: '060000', iommuGroup: 0, resetMethod: null },
      { address: '0000:00:01.0', vendor: '1234', device: '1111', classId: '030000', driver: 'bochs-drm', iommuGroup: 1, bootVga: true },
      { address: '0000:00:02.0', vendor: '1b36', device: '000c', classId: '060400', driver: 'pcieport', iommuGroup: 2 },
      {
        address: '0000:01:00.0',
        vendor: '8086',
        device: '10c9',
        subsystemVendor: '8086',
        subsystemDevice: 'a03c',
        classId: '020000',
        driver: 'igb',
        iommuGroup: 2,
        parent: '0000:00:02.0',
        net: ['enp1s0'],
        numaNode: 0,
        sriov: { totalVfs: 7, vfs: ['0000:01:10.0', '0000:01:10.2'], autoprobe: true },
      },
      {
        address: '0000:01:10.0',
        vendor: '8086',
        device: '10ca',
        subsystemVendor: '8086',
        subsystemDevice: 'a03c',
        classId: '020000',
        driver: 'igbvf',
        iommuGroup: 3,
        parent: '0000:00:02.0',
        net: ['enp1s0v0'],
        resetMethod: 'flr',
      },
      {
        address: '0000:01:10.2',
        vendor: '8086',
        device: '10ca',
        subsystemVendor: '8086',
        subsystemDevice: 'a03c',
        classId: '020000',
        driver: 'vfio-pci',
        driverOverride: 'vfio-pci',
        iommuGroup: 4,
        parent: '0000:00:02.0',
        resetMethod: 'flr',
      },
      { address: '0000:00:03.0', vendor: '1b36', device: '000c', classId: '060400', driver: 'pcieport', iommuGroup: 5 },
      {
        address: '0000:02:00.0',
        vendor: '1af4',
        device: '1041',
        subsystemVendor: '1af4',
        subsystemDevice: '1100',
        classId: '020000',
        revision: '01',
        driver: 'vfio-pci',
        iommuGroup: 5,
        parent: '0000:00:03.0',
      },
      { address: '0000:00:04.0', vendor: '8086', device: '10d3', subsystemVendor: '8086', subsystemDevice: '0000', classId: '020000', iommuGroup: 6, uevent: false },
      { address: '0000:00:05.0', vendor: '1b36', device: '000c', classId: '060400', driver: 'pcieport', iommuGroup: 8 },
      {
        address: '0000:03:00.0',
        vendor: '10de',
        device: '1b80',
        subsystemVendor: '10de',
        subsystemDevice: '119e',
        classId: '030000',
        revision: 'a1',
        driver: 'vfio-pci',
        iommuGroup: 8,
        parent: '0000:00:05.0',
      },
      {
        address: '0000:03:00.1',
        vendor: '10de',
        device: '10f0',
        subsystemVendor: '10de',
        subsystemDevice: '119e',
        classId: '040300',
        revision: 'a1',
        driver: 'snd_hda_intel',
        iommuGroup: 8,
        parent: '0000:00:05.0',
      },
      { address: '0000:00:1f.0', vendor: '8086', device: '2918', subsystemVendor: '1af4', subsystemDevice: '1100', classId: '060100', driver: 'lpc_ich', iommuGroup: 7 },
      { address: '0000:00:1f.2', vendor: '8086', device: '2922', subsystemVendor: '1af4', subsystemDevice: '1100', classId: '010601', driver: 'ahci', iommuGroup: 7 },
      { address: '0000:00:1f.3', vendor: '8086', device: '2930', subsystemVendor: '1af4', subsystemDevice: '1100', classId: '0c0500', driver: 'i801_smbus', iommuGroup: 7 },
    ],
  };
}

/** Creates a fresh temporary directory for a fake root. */
export function makeTempRoot(prefix = 'passthru-fake-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Lays out `spec` under `root` (a new temp dir by default) and returns the root. */
export function buildFakeHost(spec: FakeHostSpec, root: string = makeTempRoot()): string {
  const w = new TreeWriter(root);
  const kernel = spec.kernel ?? '6.1.0-fake';
  w.file('/proc/sys/kernel/osrelease', `${kernel}\n`);
  w.file('/proc/cmdline', `${spec.cmdline ?? 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet'}\n`);
  w.file('/proc/cpuinfo', spec.cpuinfo ?? INTEL_CPUINFO);
  if (spec.interrupts !== null) w.file('/proc/interrupts', spec.interrupts ?? '           CPU0\n  0:   10  IO-APIC   2-edge      timer\n');
  if (spec.kvm ?? true) w.file('/dev/kvm', '');
  for (const m of spec.loadedModules ?? []) w.dir(`/sys/module/${m}`);
  for (const [m, params] of Object.entries(spec.moduleParams ?? {})) {
    for (const [p, v] of Object.entries(params)) w.file(`/sys/module/${m}/parameters/${p}`, `${v}\n`);
  }
  // Merged /usr, as on current Debian/Fedora: /lib is a relative link.
  w.link('/lib', 'usr/lib');
  for (const [name, content] of Object.entries(spec.moduleFiles ?? {})) w.file(`/usr/lib/modules/${kernel}/${name}`, content);
  const pciIds = spec.pciIds === undefined ? MINI_PCI_IDS : spec.pciIds;
  if (pciIds !== null) {
    w.file('/usr/share/misc/pci.ids', pciIds);
    w.link('/usr/share/hwdata/pci.ids', '../misc/pci.ids');
  }
  for (const unit of spec.iommuUnits ?? []) {
    w.dir(`/sys/devices/virtual/iommu/${unit}`);
    w.link(`/sys/class/iommu/${unit}`, `../../devices/virtual/iommu/${unit}`);
  }
  w.dir('/sys/bus/pci/devices');
  w.dir('/sys/kernel/iommu_groups');
  const byAddress = new Map(spec.devices.map((d) => [d.address, d]));
  const pfOf = new Map<string, string>();
  for (const d of spec.devices) for (const vf of d.sriov?.vfs ?? []) pfOf.set(vf, d.address);
  for (const d of spec.devices) writeFunction(w, d, devicePath(d, byAddress), byAddress, pfOf, spec);
  return root;
}

/** Where the function's directory lives under /sys/devices (root bus, then bridges). */
export function devicePath(d: FakePciFunction, byAddress: Map<string, FakePciFunction>): string {
  const chain: string[] = [d.address];
  let cur = d;
  while (cur.parent) {
    const up = byAddress.get(cur.parent);
    if (up === undefined) throw new Error(`fake host: parent ${cur.parent} of ${cur.address} is not listed`);
    chain.unshift(up.address);
    cur = up;
  }
  const top = chain[0] as string;
  return `/sys/devices/pci${top.slice(0, -5)}/${chain.join('/')}`;
}

function writeFunction(w: TreeWriter, d: FakePciFunction, dir: string, byAddress: Map<string, FakePciFunction>, pfOf: Map<string, string>, spec: FakeHostSpec): void {
  const groupType = spec.groupType;
  const sv = d.subsystemVendor ?? '0000';
  const sd = d.subsystemDevice ?? '0000';
  const up = (s: string) => s.toUpperCase();
  const modalias =
    `pci:v0000${up(d.vendor)}d0000${up(d.device)}sv0000${up(sv)}sd0000${up(sd)}` + `bc${up(d.classId.slice(0, 2))}sc${up(d.classId.slice(2, 4))}i${up(d.classId.slice(4))}`;
  w.file(`${dir}/vendor`, `0x${d.vendor}\n`);
  w.file(`${dir}/device`, `0x${d.device}\n`);
  w.file(`${dir}/subsystem_vendor`, `0x${sv}\n`);
  w.file(`${dir}/subsystem_device`, `0x${sd}\n`);
  w.file(`${dir}/class`, `0x${d.classId}\n`);
  w.file(`${dir}/revision`, `0x${d.revision ?? '00'}\n`);
  w.file(`${dir}/modalias`, `${modalias}\n`);
  w.file(`${dir}/driver_override`, `${d.driverOverride ?? '(null)'}\n`);
  w.file(`${dir}/numa_node`, `${d.numaNode ?? -1}\n`);
  w.file(`${dir}/config`, configSpace(d, multifunctionSlots(byAddress, pfOf).has(d.address.slice(0, -2)) && !pfOf.has(d.address)));
  const resetMethod = d.resetMethod === undefined ? 'flr bus' : d.resetMethod;
  if (resetMethod !== null) w.file(`${dir}/reset_method`, `${resetMethod}\n`);
  if (d.classId.startsWith('03')) w.file(`${dir}/boot_vga`, d.bootVga ? '1\n' : '0\n');
  if (d.uevent ?? true) {
    const lines = [
      ...(d.driver ? [`DRIVER=${d.driver}`] : []),
      `PCI_CLASS=${up(d.classId.replace(/^0+(?=.)/, ''))}`,
      `PCI_ID=${up(d.vendor)}:${up(d.device)}`,
      `PCI_SUBSYS_ID=${up(sv)}:${up(sd)}`,
      `PCI_SLOT_NAME=${d.address}`,
      `MODALIAS=${modalias}`,
    ];
    w.file(`${dir}/uevent`, `${lines.join('\n')}\n`);
  }
  w.link(`/sys/bus/pci/devices/${d.address}`, rel(`/sys/bus/pci/devices`, dir));
  w.link(`${dir}/subsystem`, rel(dir, '/sys/bus/pci'));
  if (d.driver) {
    const drv = `/sys/bus/pci/drivers/${d.driver}`;
    w.link(`${dir}/driver`, rel(dir, drv));
    w.link(`${drv}/${d.address}`, rel(drv, dir));
  }
  if (d.iommuGroup !== undefined && d.iommuGroup !== null) {
    const g = `/sys/kernel/iommu_groups/${d.iommuGroup}`;
    w.link(`${dir}/iommu_group`, rel(dir, g));
    w.link(`${g}/devices/${d.address}`, rel(`${g}/devices`, dir));
    const type = typeof groupType === 'object' ? groupType[d.iommuGroup] : groupType;
    w.file(`${g}/type`, `${type ?? 'DMA-FQ'}\n`);
  }
  if (d.sriov) {
    w.file(`${dir}/sriov_totalvfs`, `${d.sriov.totalVfs}\n`);
    w.file(`${dir}/sriov_numvfs`, `${d.sriov.vfs.length}\n`);
    w.file(`${dir}/sriov_drivers_autoprobe`, d.sriov.autoprobe === false ? '0\n' : '1\n');
    d.sriov.vfs.forEach((vf, i) => {
      const vfFn = byAddress.get(vf);
      if (vfFn === undefined) throw new Error(`fake host: VF ${vf} of ${d.address} is not listed`);
      w.link(`${dir}/virtfn${i}`, rel(dir, devicePath(vfFn, byAddress)));
    });
  }
  const pf = pfOf.get(d.address);
  if (pf !== undefined) w.link(`${dir}/physfn`, rel(dir, devicePath(byAddress.get(pf) as FakePciFunction, byAddress)));
  const netdev = (owner: string, name: string) => {
    const at = `${owner}/net/${name}`;
    const attrs = spec.netdevs?.[name];
    w.file(`${at}/ifindex`, `${attrs?.ifindex ?? 2}\n`);
    if (attrs) {
      w.file(`${at}/uevent`, `INTERFACE=${name}\nIFINDEX=${attrs.ifindex}\n`);
      w.file(`${at}/type`, '1\n');
      w.file(`${at}/address`, `${attrs.mac}\n`);
      w.file(`${at}/operstate`, `${attrs.operstate}\n`);
      w.file(`${at}/mtu`, `${attrs.mtu ?? 1500}\n`);
      if (attrs.speedMbps !== undefined && attrs.speedMbps !== null) w.file(`${at}/speed`, `${attrs.speedMbps}\n`);
      w.link(`${at}/device`, '../..');
    }
    w.link(`/sys/class/net/${name}`, rel('/sys/class/net', at));
  };
  for (const name of d.net ?? []) netdev(dir, name);
  if (d.virtio) {
    const v = `${dir}/virtio${d.virtio.index}`;
    w.dir(v);
    for (const name of d.virtio.net ?? []) netdev(v, name);
  }
}

/**
 * The first 256 bytes of the function's configuration space (the standard header, little
 * endian), matching its sysfs ids, so `lspci -A linux-sysfs` reads a tree as it reads a host.
 * No capability list: conventional PCI, hence no ACS, as the probes read it.
 */
export function configSpace(d: FakePciFunction, multifunction = false): Uint8Array {
  const c = Buffer.alloc(256);
  const bridge = d.classId.startsWith('0604');
  c.writeUInt16LE(Number.parseInt(d.vendor, 16), 0x00);
  c.writeUInt16LE(Number.parseInt(d.device, 16), 0x02);
  c.writeUInt8(Number.parseInt(d.revision ?? '00', 16), 0x08);
  c.writeUInt8(Number.parseInt(d.classId.slice(4, 6), 16), 0x09);
  c.writeUInt8(Number.parseInt(d.classId.slice(2, 4), 16), 0x0a);
  c.writeUInt8(Number.parseInt(d.classId.slice(0, 2), 16), 0x0b);
  c.writeUInt8((bridge ? 0x01 : 0x00) | (multifunction ? 0x80 : 0x00), 0x0e); // header type; bit 7: one of several functions
  if (!bridge) {
    c.writeUInt16LE(Number.parseInt(d.subsystemVendor ?? '0000', 16), 0x2c);
    c.writeUInt16LE(Number.parseInt(d.subsystemDevice ?? '0000', 16), 0x2e);
  }
  return c;
}

const slotsMemo = new WeakMap<Map<string, FakePciFunction>, Set<string>>();
/** Slots (domain:bus:slot) holding several functions other than VFs: their header says multifunction. */
function multifunctionSlots(byAddress: Map<string, FakePciFunction>, pfOf: Map<string, string>): Set<string> {
  let slots = slotsMemo.get(byAddress);
  if (slots === undefined) {
    const count = new Map<string, number>();
    for (const a of byAddress.keys()) if (!pfOf.has(a)) count.set(a.slice(0, -2), (count.get(a.slice(0, -2)) ?? 0) + 1);
    slots = new Set([...count].filter(([, n]) => n > 1).map(([slot]) => slot));
    slotsMemo.set(byAddress, slots);
  }
  return slots;
}

/** Relative link target from directory `fromDir` to `to` (both inside-root paths). */
function rel(fromDir: string, to: string): string {
  return path.posix.relative(fromDir, to);
}

/** Writes files, directories and symlinks at inside-root paths. */
export class TreeWriter {
  /** Directories already made: big trees write thousands of files into the same few. */
  private readonly made = new Set<string>();

  constructor(readonly root: string) {}

  file(p: string, content: string | Uint8Array): void {
    this.mkdir(path.dirname(this.root + p));
    try {
      fs.writeFileSync(this.root + p, content);
    } catch (err) {
      // A test removed the directory since: make it again.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      fs.mkdirSync(path.dirname(this.root + p), { recursive: true });
      fs.writeFileSync(this.root + p, content);
    }
  }

  dir(p: string): void {
    this.mkdir(this.root + p);
  }

  private mkdir(dir: string): void {
    if (this.made.has(dir)) return;
    fs.mkdirSync(dir, { recursive: true });
    this.made.add(dir);
  }

  link(p: string, target: string): void {
    this.mkdir(path.dirname(this.root + p));
    fs.rmSync(this.root + p, { force: true });
    fs.symlinkSync(target, this.root + p);
  }
}
