/**
 * The benchmark's hosts: exactly N functions of a realistic server (C620 chipset, BMC,
 * management NIC, root ports on several root buses, dual-port SR-IOV NICs with many VFs, NVMe
 * behind PCIe switches, GPUs), IOMMU groups of mixed sizes, interfaces and an iproute2 capture,
 * all deterministic from a seed, written in the layout of a `passthru snapshot`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MINI_PCI_IDS, TreeWriter, buildFakeHost, makeTempRoot, type FakeHostSpec, type FakePciFunction } from '../../electron/host/testing/fake-sysfs';
import type { IpCapture } from '../../electron/host/probes/ip-state';
import { PASSTHRU_VERSION, SNAPSHOT_IP_STATE_PATH, SNAPSHOT_MANIFEST_PATH, type SnapshotManifest } from '../../electron/host/snapshot-format';
import { HostBuilder, NIC_MODELS, address, hex, type VfUse } from './large-host';

/** Small deterministic PRNG (mulberry32): the same seed gives the same host everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticHostOptions {
  functions: number;
  seed?: number;
  /** pci.ids for the tree (the benchmark passes the system's, which lspci reads too); default a small one covering the models used. */
  pciIds?: string;
}

/** What the generator put in, for tests and the benchmark to check a scan against. */
export interface SyntheticHostSummary {
  functions: number;
  groups: number;
  physicalFunctions: number;
  virtualFunctions: number;
  interfaces: number;
  managementInterface: string;
}

export interface SyntheticHost {
  spec: FakeHostSpec;
  ipCapture: IpCapture;
  summary: SyntheticHostSummary;
}

const INTEL_RP = { vendor: '8086', device: '2030' };
/** Root buses as on a two-socket server; CPU root ports go on 0x20 and up, NUMA node by socket. */
const ROOT_BUSES = [0x20, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0xe0];
const PORTS_PER_ROOT_BUS = 16;

/** Allocates root ports and bus numbers, moving to the next root bus (then the next PCI domain) when one is full. */
class BusAllocator {
  domain = 0;
  cards = 0;
  private root = 0;
  private port = 0;
  private nextBus = ROOT_BUSES[0]! + 1;

  /** A root port address and the first of `buses` consecutive free buses behind it. */
  take(buses: number): { rootPort: string; bus: number; numaNode: number } {
    const limit = () => (ROOT_BUSES[this.root + 1] ?? 0x100) - 1;
    if (this.port >= PORTS_PER_ROOT_BUS || this.nextBus + buses - 1 > limit()) {
      this.root++;
      if (this.root >= ROOT_BUSES.length) {
        this.root = 0;
        this.domain++;
      }
      this.port = 0;
      this.nextBus = ROOT_BUSES[this.root]! + 1;
    }
    const rootBus = ROOT_BUSES[this.root]!;
    const rootPort = address(this.domain, rootBus, (this.port++ + 1) << 3);
    const bus = this.nextBus;
    this.nextBus += buses;
    this.cards++;
    return { rootPort, bus, numaNode: rootBus < 0x80 ? 0 : 1 };
  }
}

/**
 * Exactly `functions` PCI functions (at least 16): a C620-chipset platform on bus 00 (host
 * bridge, xHCI, AHCI, the LPC/PMC/SMBus/SPI group, the BMC's VGA behind its bridge, a 4-port
 * I350 management NIC whose first port carries the default route), then cards on CPU root
 * ports drawn from the seed — dual-port SR-IOV NICs (E810, ConnectX-5, X710, 82576) with
 * 8–128 VFs per port used in different ways, NVMe drives (some behind a PEX switch, with or
 * without ACS), GPUs with their audio function, single-port I210s.
 */
export function syntheticHost(options: SyntheticHostOptions): SyntheticHost {
  const total = options.functions;
  if (!Number.isInteger(total) || total < 16) throw new Error(`synthetic host: need at least 16 functions, got ${total}`);
  const rnd = prng(options.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const b = new HostBuilder();
  const intel = (device: string) => ({ vendor: '8086', device });

  // The platform: 15 functions on the chipset's root bus.
  b.add({ address: '0000:00:00.0', ...intel('2020'), classId: '060000', iommuGroup: b.group(), resetMethod: null, numaNode: 0 });
  b.add({ address: '0000:00:14.0', ...intel('a1af'), classId: '0c0330', driver: 'xhci_hcd', iommuGroup: b.group(), numaNode: 0 });
  b.add({ address: '0000:00:17.0', ...intel('a182'), classId: '010601', driver: 'ahci', iommuGroup: b.group(), numaNode: 0 });
  const lpc = b.group();
  for (const [fn, device, classId, driver] of [
    [0, 'a1c2', '060100', null],
    [2, 'a1a1', '058000', null],
    [4, 'a1a3', '0c0500', 'i801_smbus'],
    [5, 'a1a4', '0c8000', 'intel-spi'],
  ] as const) {
    b.add({ address: `0000:00:1f.${fn}`, ...intel(device), classId, driver, iommuGroup: lpc, resetMethod: null, numaNode: 0 });
  }
  const bmc = b.group();
  b.bridge('0000:00:1c.0', intel('a190'), null, bmc, 0);
  b.bridge('0000:01:00.0', { vendor: '1a03', device: '1150' }, '0000:00:1c.0', bmc, 0);
  b.add({
    address: '0000:02:00.0',
    vendor: '1a03',
    device: '2000',
    subsystemVendor: '15d9',
    subsystemDevice: '1b95',
    classId: '030000',
    driver: 'ast',
    iommuGroup: bmc,
    parent: '0000:01:00.0',
    bootVga: true,
    numaNode: 0,
  });
  b.bridge('0000:00:1c.5', intel('a195'), null, b.group(), 0);
  let management = '';
  for (let fn = 0; fn < 4; fn++) {
    const port = {
      address: `0000:03:00.${fn}`,
      ...intel('1521'),
      subsystemVendor: '15d9',
      subsystemDevice: '1521',
      classId: '020000',
      driver: 'igb',
      iommuGroup: b.group(),
      parent: '0000:00:1c.5',
      numaNode: 0,
    } satisfies FakePciFunction;
    b.add(port);
    const name = b.netdev(port, 'ac:1f:6b', fn === 0 ? 1000 : null, fn === 0, `eno${fn + 1}`);
    if (fn === 0) management = name;
  }

  const buses = new BusAllocator();
  const vfChoices = [8, 16, 32, 64, 64, 128, 128];
  const models = [NIC_MODELS.e810, NIC_MODELS.e810, NIC_MODELS.connectx5, NIC_MODELS.x710, NIC_MODELS.i82576];
  for (let left = total - b.devices.length; left > 0; left = total - b.devices.length) {
    const r = rnd();
    if (left === 1) {
      // One function short: a CBDMA engine on the root bus (00:04.x, each in its own group).
      const n = b.devices.filter((d) => d.device === '2021').length;
      b.add({ address: `0000:00:${hex(4 + (n >> 3), 2)}.${n & 7}`, ...intel('2021'), classId: '088000', driver: 'ioatdma', iommuGroup: b.group(), numaNode: 0 });
    } else if ((r < 0.5 || buses.cards === 0) && left >= 1 + 2 * (1 + 8)) {
      // The first card is always an SR-IOV NIC: these are passthrough hosts.
      const model = pick(models);
      const fit = vfChoices.filter((v) => v <= model.maxVfs && 1 + 2 * (1 + v) <= left);
      const vfs = fit.length ? pick(fit) : Math.min(model.maxVfs, Math.floor((left - 3) / 2));
      const { rootPort, bus, numaNode } = buses.take(Math.ceil((model.vfBase + 2 * vfs * model.stride) / 256));
      b.bridge(rootPort, INTEL_RP, null, b.group(), numaNode);
      const uses: VfUse[] = ['host', 'vfio', 'mixed', 'unbound'];
      b.sriovCard({ model, domain: buses.domain, bus, rootPort, ports: 2, vfs, use: [pick(uses), pick(uses)], sharedPfGroup: rnd() < 0.3, numaNode });
    } else if (r < 0.65 && left >= 5) {
      // A PEX 8747 switch with NVMe drives: upstream port on the root port's bus, downstream
      // ports on the switch's internal bus, one drive per bus after that. Without ACS the
      // whole switch is one group.
      const drives = Math.min(4, Math.floor((left - 3) / 2));
      const { rootPort, bus, numaNode } = buses.take(2 + drives);
      const shared = rnd() < 0.5 ? b.group() : null;
      b.bridge(rootPort, INTEL_RP, null, b.group(), numaNode);
      const plx = { vendor: '10b5', device: '8747' };
      const up = b.bridge(address(buses.domain, bus, 0), plx, rootPort, shared ?? b.group(), numaNode);
      for (let i = 0; i < drives; i++) {
        const down = b.bridge(address(buses.domain, bus + 1, (i + 1) << 3), plx, up, shared ?? b.group(), numaNode);
        b.add({
          address: address(buses.domain, bus + 2 + i, 0),
          vendor: '144d',
          device: 'a808',
          subsystemVendor: '144d',
          subsystemDevice: 'a801',
          classId: '010802',
          driver: 'nvme',
          iommuGroup: shared ?? b.group(),
          parent: down,
          numaNode,
        });
      }
    } else if (r < 0.78 && left >= 3) {
      const { rootPort, bus, numaNode } = buses.take(1);
      b.bridge(rootPort, INTEL_RP, null, b.group(), numaNode);
      const gpu = b.group();
      const vfio = rnd() < 0.5;
      const sub = { subsystemVendor: '10de', subsystemDevice: '1454' };
      b.add({
        address: address(buses.domain, bus, 0),
        vendor: '10de',
        device: '2204',
        ...sub,
        classId: '030000',
        revision: 'a1',
        driver: vfio ? 'vfio-pci' : 'nouveau',
        iommuGroup: gpu,
        parent: rootPort,
        numaNode,
      });
      b.add({
        address: address(buses.domain, bus, 1),
        vendor: '10de',
        device: '1aef',
        ...sub,
        classId: '040300',
        revision: 'a1',
        driver: vfio ? 'vfio-pci' : 'snd_hda_intel',
        iommuGroup: gpu,
        parent: rootPort,
        numaNode,
      });
    } else if (r < 0.9) {
      const { rootPort, bus, numaNode } = buses.take(1);
      b.bridge(rootPort, INTEL_RP, null, b.group(), numaNode);
      b.add({
        address: address(buses.domain, bus, 0),
        vendor: '144d',
        device: 'a808',
        subsystemVendor: '144d',
        subsystemDevice: 'a801',
        classId: '010802',
        driver: 'nvme',
        iommuGroup: b.group(),
        parent: rootPort,
        numaNode,
      });
    } else {
      const { rootPort, bus, numaNode } = buses.take(1);
      b.bridge(rootPort, INTEL_RP, null, b.group(), numaNode);
      const nic = {
        address: address(buses.domain, bus, 0),
        ...intel('1533'),
        subsystemVendor: '8086',
        subsystemDevice: '0001',
        classId: '020000',
        driver: 'igb',
        iommuGroup: b.group(),
        parent: rootPort,
        numaNode,
      } satisfies FakePciFunction;
      b.add(nic);
      b.netdev(nic, 'a0:36:9f', 1000, rnd() < 0.5);
    }
  }

  const spec: FakeHostSpec = {
    kernel: '6.1.0-28-amd64',
    cmdline: 'BOOT_IMAGE=/vmlinuz-6.1.0-28-amd64 root=/dev/mapper/vg-root ro intel_iommu=on iommu=pt quiet',
    iommuUnits: ROOT_BUSES.map((_, i) => `dmar${i}`),
    interrupts: '           CPU0       CPU1\n  0:         35          0   IO-APIC   2-edge      timer\n',
    loadedModules: ['vfio', 'vfio_pci', 'vfio_iommu_type1', 'ice', 'iavf', 'mlx5_core', 'i40e', 'igb', 'igbvf', 'nvme'],
    moduleFiles: { 'modules.alias': MODULES_ALIAS, 'modules.dep': '', 'modules.builtin': '' },
    pciIds: options.pciIds ?? SYNTHETIC_PCI_IDS,
    netdevs: b.netdevs,
    devices: b.devices,
  };
  const groups = new Set(b.devices.map((d) => d.iommuGroup));
  return {
    spec,
    ipCapture: ipCaptureFor(b, management),
    summary: {
      functions: b.devices.length,
      groups: groups.size,
      physicalFunctions: b.devices.filter((d) => d.sriov).length,
      virtualFunctions: b.devices.reduce((n, d) => n + (d.sriov?.vfs.length ?? 0), 0),
      interfaces: Object.keys(b.netdevs).length,
      managementInterface: management,
    },
  };
}

/** What `ip -j` would print on that host: addresses, the default route via the management port, PFs' VF tables. */
function ipCaptureFor(b: HostBuilder, management: string): IpCapture {
  const vfTables = new Map<string, FakePciFunction>();
  const byAddress = new Map(b.devices.map((d) => [d.address, d]));
  for (const d of b.devices) if (d.sriov && d.net?.[0]) vfTables.set(d.net[0], d);
  const links = Object.entries(b.netdevs).map(([ifname, n]) => ({
    ifindex: n.ifindex,
    ifname,
    flags: n.operstate === 'up' ? ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] : ['BROADCAST', 'MULTICAST'],
    mtu: n.mtu ?? 1500,
    operstate: n.operstate.toUpperCase(),
    link_type: 'ether',
    address: n.mac,
    broadcast: 'ff:ff:ff:ff:ff:ff',
  }));
  const address = links.map((l) => ({
    ...l,
    addr_info: [
      ...(l.ifname === management ? [{ family: 'inet', local: '192.0.2.10', prefixlen: 24, scope: 'global', label: management }] : []),
      ...(l.operstate === 'UP' ? [{ family: 'inet6', local: `fe80::${l.address.slice(-5).replace(':', '')}`, prefixlen: 64, scope: 'link' }] : []),
    ],
  }));
  const link = links.map((l) => {
    const pf = vfTables.get(l.ifname);
    if (!pf?.sriov) return l;
    const vfinfo_list = pf.sriov.vfs.map((vf, i) => {
      const name = byAddress.get(vf)?.net?.[0];
      return { vf: i, address: name ? b.netdevs[name]!.mac : '00:00:00:00:00:00', vlan_list: [{}], spoofchk: true, trust: false, link_state: 'auto' };
    });
    return { ...l, vfinfo_list };
  });
  return {
    formatVersion: 1,
    address,
    route4: [
      { dst: 'default', gateway: '192.0.2.1', dev: management, protocol: 'static', flags: [] },
      { dst: '192.0.2.0/24', dev: management, protocol: 'kernel', scope: 'link', prefsrc: '192.0.2.10', flags: [] },
    ],
    route6: [],
    link,
  };
}

/**
 * Writes a synthetic host under `root` (a new temp dir by default) in the layout of a
 * `passthru snapshot` — sysfs, procfs, pci.ids, modules files, plus the snapshot's manifest and
 * iproute2 capture — and, as a live sysfs has, a `config` file per function for lspci.
 */
/**
 * Files and links under `dir`, without following links. Not readdirSync's `recursive`: Node 22's
 * follows links to directories, and a sysfs tree's links go round in circles (it never ends).
 */
function countEntries(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countEntries(join(dir, e.name)) : 1;
  return n;
}

export function buildSyntheticHost(options: SyntheticHostOptions, root: string = makeTempRoot('passthru-synthetic-')): { root: string; summary: SyntheticHostSummary } {
  const host = syntheticHost(options);
  buildFakeHost(host.spec, root);
  const w = new TreeWriter(root);
  w.file(SNAPSHOT_IP_STATE_PATH, `${JSON.stringify(host.ipCapture)}\n`);
  const manifest: SnapshotManifest = {
    format: 'passthru-snapshot',
    formatVersion: 1,
    passthruVersion: PASSTHRU_VERSION,
    capturedAt: '2026-01-01T00:00:00.000Z',
    hostname: `synthetic-${options.functions}-seed${options.seed ?? 1}`,
    kernel: host.spec.kernel ?? null,
    kvmAccessible: true,
    ipState: 'iproute2',
    fileCount: countEntries(root) + 1,
  };
  w.file(SNAPSHOT_MANIFEST_PATH, `${JSON.stringify(manifest, null, 1)}\n`);
  return { root, summary: host.summary };
}

const MODULES_ALIAS = [
  '# Aliases extracted from modules themselves.',
  'alias pci:v00008086d00001592sv*sd*bc*sc*i* ice',
  'alias pci:v00008086d00001889sv*sd*bc*sc*i* iavf',
  'alias pci:v000015B3d00001017sv*sd*bc*sc*i* mlx5_core',
  'alias pci:v000015B3d00001018sv*sd*bc*sc*i* mlx5_core',
  'alias pci:v00008086d00001572sv*sd*bc*sc*i* i40e',
  'alias pci:v00008086d0000154Csv*sd*bc*sc*i* iavf',
  'alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb',
  'alias pci:v00008086d000010CAsv*sd*bc*sc*i* igbvf',
  'alias pci:v00008086d00001521sv*sd*bc*sc*i* igb',
  'alias pci:v00008086d00001533sv*sd*bc*sc*i* igb',
  'alias pci:v*d*sv*sd*bc01sc08i02* nvme',
  'alias pci:v*d*sv*sd*bc01sc06i01* ahci',
  'alias pci:v*d*sv*sd*bc0Csc03i30* xhci_pci',
  'alias pci:v000010DEd*sv*sd*bc03sc*i* nouveau',
  'alias pci:v*d*sv*sd*bc04sc03i* snd_hda_intel',
  'alias pci:v00001A03d00002000sv*sd*bc*sc*i* ast',
  '',
].join('\n');

/** The lab host's pci.ids plus every model the synthetic hosts use (vendors kept in order). */
const SYNTHETIC_PCI_IDS = `${MINI_PCI_IDS.replace(
  '10de  NVIDIA Corporation',
  [
    '10b5  Broadcom / PLX',
    '\t8747  PEX 8747 48-Lane, 5-Port PCI Express Gen 3 (8.0 GT/s) Switch',
    '10de  NVIDIA Corporation',
    '\t1aef  GA102 High Definition Audio Controller',
    '\t2204  GA102 [GeForce RTX 3090]',
  ].join('\n'),
)
  .replace(
    '1af4  Red Hat, Inc.',
    [
      '144d  Samsung Electronics Co Ltd',
      '\ta808  NVMe SSD Controller SM981/PM981/PM983',
      '15b3  Mellanox Technologies',
      '\t1017  MT27800 Family [ConnectX-5]',
      '\t1018  MT27800 Family [ConnectX-5 Virtual Function]',
      '1a03  ASPEED Technology, Inc.',
      '\t1150  AST1150 PCI-to-PCI Bridge',
      '\t2000  ASPEED Graphics Family',
      '1af4  Red Hat, Inc.',
    ].join('\n'),
  )
  .replace(
    '\t10c9  82576',
    [
      '\t2020  Sky Lake-E DMI3 Registers',
      '\t2021  Sky Lake-E CBDMA Registers',
      '\t2030  Sky Lake-E PCI Express Root Port A',
      '\ta182  C620 Series Chipset Family SATA Controller [AHCI mode]',
      '\ta190  C620 Series Chipset Family PCI Express Root Port #1',
      '\ta195  C620 Series Chipset Family PCI Express Root Port #6',
      '\ta1a1  C620 Series Chipset Family Power Management Controller',
      '\ta1a3  C620 Series Chipset Family SMBus',
      '\ta1a4  C620 Series Chipset Family SPI Controller',
      '\ta1af  C620 Series Chipset Family USB 3.0 xHCI Controller',
      '\ta1c2  C622 Series Chipset LPC/eSPI Controller',
      '\t1521  I350 Gigabit Network Connection',
      '\t1533  I210 Gigabit Network Connection',
      '\t154c  Ethernet Virtual Function 700 Series',
      '\t1572  Ethernet Controller X710 for 10GbE SFP+',
      '\t1592  Ethernet Controller E810-C for QSFP',
      '\t1889  Ethernet Adaptive Virtual Function',
      '\t10c9  82576',
    ].join('\n'),
  )}`;
