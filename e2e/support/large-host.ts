/**
 * Big hosts, laid out by the same fake-sysfs builder the unit tests use. {@link buildLargeHost}
 * is the GUI's scale spec: 250 QEMU root ports, each with an Intel 82576 PF and its 7 VFs
 * enabled, every function in its own IOMMU group (2,250 functions). {@link HostBuilder} holds
 * the building blocks it shares with the benchmark's generator (synthetic-host.ts).
 */
import { buildFakeHost, labHostSpec, makeTempRoot, type FakeNetdev, type FakePciFunction } from '../../electron/host/testing/fake-sysfs';

export const LARGE_HOST_PORTS = 250;
export const LARGE_HOST_FUNCTIONS = LARGE_HOST_PORTS * 9;

export const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
/** `dddd:bb:dd.f` from a domain, bus and devfn. */
export const address = (domain: number, bus: number, devfn: number) => `${hex(domain, 4)}:${hex(bus, 2)}:${hex(devfn >> 3, 2)}.${devfn & 7}`;

/** An SR-IOV NIC model: ids, drivers, and where its VFs land (offset and stride in routing ids). */
export interface NicModel {
  vendor: string;
  pf: string;
  vf: string;
  subsystem: [string, string];
  pfDriver: string;
  vfDriver: string;
  /** sriov_totalvfs per PF. */
  maxVfs: number;
  speedMbps: number;
  /** devfn of PF 0's first VF; `stride` between a PF's VFs (2 interleaves the PFs' VFs, as igb does). */
  vfBase: number;
  stride: 1 | 2;
  oui: string;
}

export const NIC_MODELS = {
  e810: {
    vendor: '8086',
    pf: '1592',
    vf: '1889',
    subsystem: ['8086', '0002'],
    pfDriver: 'ice',
    vfDriver: 'iavf',
    maxVfs: 256,
    speedMbps: 100000,
    vfBase: 8,
    stride: 1,
    oui: 'b4:96:91',
  },
  connectx5: {
    vendor: '15b3',
    pf: '1017',
    vf: '1018',
    subsystem: ['15b3', '0007'],
    pfDriver: 'mlx5_core',
    vfDriver: 'mlx5_core',
    maxVfs: 127,
    speedMbps: 100000,
    vfBase: 8,
    stride: 1,
    oui: '0c:42:a1',
  },
  x710: {
    vendor: '8086',
    pf: '1572',
    vf: '154c',
    subsystem: ['8086', '0007'],
    pfDriver: 'i40e',
    vfDriver: 'iavf',
    maxVfs: 64,
    speedMbps: 10000,
    vfBase: 8,
    stride: 1,
    oui: '3c:fd:fe',
  },
  i82576: {
    vendor: '8086',
    pf: '10c9',
    vf: '10ca',
    subsystem: ['8086', 'a03c'],
    pfDriver: 'igb',
    vfDriver: 'igbvf',
    maxVfs: 7,
    speedMbps: 1000,
    vfBase: 0x80,
    stride: 2,
    oui: '00:1b:21',
  },
} satisfies Record<string, NicModel>;

/** How a PF's VFs are used: all on the host driver, all on vfio-pci, a mix, or created unbound. */
export type VfUse = 'host' | 'vfio' | 'mixed' | 'unbound';

/** Accumulates functions, groups and interfaces; the building blocks both hosts share. */
export class HostBuilder {
  readonly devices: FakePciFunction[] = [];
  readonly netdevs: Record<string, FakeNetdev> = {};
  private nextGroup = 0;
  private nextIfindex = 2;
  private nextMac = 1;

  group(): number {
    return this.nextGroup++;
  }

  add(fn: FakePciFunction): string {
    this.devices.push(fn);
    return fn.address;
  }

  /** A PCIe root port (or any bridge) in its own group unless `group` is given. */
  bridge(addr: string, ids: { vendor: string; device: string }, parent: string | null = null, group = this.group(), numaNode?: number): string {
    return this.add({ address: addr, ...ids, classId: '060400', driver: 'pcieport', iommuGroup: group, parent, numaNode });
  }

  /** A netdev on `owner` named by the systemd scheme (`enp59s0f1`, `enP1p3s0f0`), or `name`. */
  netdev(owner: FakePciFunction, oui: string, speedMbps: number | null, up: boolean, name?: string): string {
    const [domain, bus, rest] = owner.address.split(':') as [string, string, string];
    const [slot, fn] = rest.split('.') as [string, string];
    const dom = Number.parseInt(domain, 16);
    const ifname = name ?? `en${dom ? `P${dom}` : ''}p${Number.parseInt(bus, 16)}s${Number.parseInt(slot, 16)}f${fn}`;
    const n = this.nextMac++;
    const mac = `${oui}:${hex((n >> 16) & 0xff, 2)}:${hex((n >> 8) & 0xff, 2)}:${hex(n & 0xff, 2)}`;
    this.netdevs[ifname] = { ifindex: this.nextIfindex++, mac, operstate: up ? 'up' : 'down', speedMbps: up ? speedMbps : null };
    (owner.net ??= []).push(ifname);
    return ifname;
  }

  /**
   * One SR-IOV card on `bus` below `rootPort`: `ports` PFs with `vfs` VFs each. PFs get their own
   * groups (or one shared group when `sharedPfGroup`, as on a multi-function card without ACS);
   * every VF has its own group.
   */
  sriovCard(o: {
    model: NicModel;
    domain: number;
    bus: number;
    rootPort: string;
    ports: number;
    vfs: number;
    use: VfUse[];
    sharedPfGroup?: boolean;
    netdevs?: boolean;
    numaNode?: number;
  }): void {
    const m = o.model;
    const pfGroup = o.sharedPfGroup ? this.group() : null;
    const ids = { vendor: m.vendor, subsystemVendor: m.subsystem[0], subsystemDevice: m.subsystem[1], classId: '020000' };
    for (let p = 0; p < o.ports; p++) {
      const use = o.use[p % o.use.length] as VfUse;
      const vfAddrs = Array.from({ length: o.vfs }, (_, i) =>
        address(o.domain, o.bus + ((m.vfBase + p * (m.stride === 2 ? 1 : o.vfs) + m.stride * i) >> 8), (m.vfBase + p * (m.stride === 2 ? 1 : o.vfs) + m.stride * i) & 0xff),
      );
      const pf: FakePciFunction = {
        address: address(o.domain, o.bus, p),
        device: m.pf,
        ...ids,
        driver: m.pfDriver,
        iommuGroup: pfGroup ?? this.group(),
        parent: o.rootPort,
        numaNode: o.numaNode,
        sriov: { totalVfs: m.maxVfs, vfs: vfAddrs, autoprobe: use !== 'unbound' },
      };
      this.add(pf);
      if (o.netdevs !== false) this.netdev(pf, m.oui, m.speedMbps, true);
      vfAddrs.forEach((vf, i) => {
        const driver = use === 'unbound' ? null : use === 'vfio' || (use === 'mixed' && i < o.vfs / 4) ? 'vfio-pci' : m.vfDriver;
        const fn: FakePciFunction = {
          address: vf,
          device: m.vf,
          ...ids,
          driver,
          iommuGroup: this.group(),
          parent: o.rootPort,
          numaNode: o.numaNode,
          resetMethod: 'flr',
        };
        this.add(fn);
        if (o.netdevs !== false && driver === m.vfDriver) this.netdev(fn, '02:00:00', m.speedMbps, i % 3 !== 2);
      });
    }
  }
}

export function buildLargeHost(): string {
  const b = new HostBuilder();
  for (let port = 0; port < LARGE_HOST_PORTS; port++) {
    const rootPort = b.bridge(address(0, 0, port), { vendor: '1b36', device: '000c' });
    b.sriovCard({ model: NIC_MODELS.i82576, domain: 0, bus: port + 1, rootPort, ports: 1, vfs: 7, use: ['host'], netdevs: false });
  }
  const base = labHostSpec();
  return buildFakeHost({ ...base, devices: b.devices }, makeTempRoot('passthru-large-host-'));
}
