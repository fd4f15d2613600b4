/**
 * Network interfaces as a passthrough user must see them before giving a NIC away: which
 * PCI function is behind each interface, how interfaces stack (bridge/bond ports, VLAN lower
 * links, SR-IOV PF → VF), and which ones the host itself depends on — the management
 * interface (default route) and anything in use (addresses, routes), including through the
 * stack. Reads /sys/class/net/* through HostFs; addresses and routes come from an IpState.
 */
import { posix } from 'node:path';
import type { HostFs } from '../fs/host-fs';
import type { InterfaceKind, NetInterface, PciAddress } from '#shared/model';
import type { IpState } from './ip-state';

const NET = '/sys/class/net';
const PCI_ADDRESS = /^[0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
const ARPHRD_LOOPBACK = 772;

/** One interface as read from sysfs, before usage is worked out across the whole stack. */
interface SysIface {
  name: string;
  ifindex: number;
  iface: Omit<NetInterface, 'management' | 'inUse'>;
  /** Links this interface sits on (VLAN/macvlan `lower_*` links). */
  lowers: string[];
}

/** Every interface under /sys/class/net, ordered by ifindex (as `ip link` lists them). */
export function probeNetwork(fs: HostFs, ip: IpState): NetInterface[] {
  const pfNets = new Map<string, string | null>();
  const sys = fs.list(NET).map((name) => readInterface(fs, name, ip, pfNets));
  sys.sort((a, b) => a.ifindex - b.ifindex || a.name.localeCompare(b.name));

  // A port's `master` link is the ground truth for membership; brif/ and bonding/slaves add
  // ports that are not visible as interfaces of their own (e.g. in another namespace).
  const byName = new Map(sys.map((s) => [s.name, s]));
  for (const s of sys) {
    const master = s.iface.master ? byName.get(s.iface.master) : undefined;
    if (master && !master.iface.ports.includes(s.name)) master.iface.ports.push(s.name);
  }
  for (const s of sys) s.iface.ports.sort();

  const management = closeOverStack(
    sys,
    sys.filter((s) => s.iface.defaultRoute.ipv4 || s.iface.defaultRoute.ipv6).map((s) => s.name),
  );
  const inUse = closeOverStack(
    sys,
    sys.filter((s) => holdsTraffic(s.iface, ip)).map((s) => s.name),
  );
  return sys.map((s) => ({ ...s.iface, management: management.has(s.name), inUse: inUse.has(s.name) }));
}

/**
 * Names whose loss would take a seed down: the seeds, the ports of seed bridges/bonds and
 * the lower links of seed VLANs, recursively (a bond in a bridge, a VLAN on a bond...).
 */
export function closeOverStack(sys: readonly { name: string; iface: { ports: string[]; master: string | null }; lowers: string[] }[], seeds: readonly string[]): Set<string> {
  const below = new Map<string, Set<string>>();
  const add = (upper: string, lower: string): void => {
    let set = below.get(upper);
    if (!set) below.set(upper, (set = new Set()));
    set.add(lower);
  };
  for (const s of sys) {
    for (const p of s.iface.ports) add(s.name, p);
    for (const l of s.lowers) add(s.name, l);
    if (s.iface.master) add(s.iface.master, s.name);
  }
  const result = new Set<string>();
  const queue = [...seeds];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (result.has(name)) continue;
    result.add(name);
    for (const next of below.get(name) ?? []) queue.push(next);
  }
  return result;
}

function holdsTraffic(iface: Omit<NetInterface, 'management' | 'inUse'>, ip: IpState): boolean {
  if (iface.defaultRoute.ipv4 || iface.defaultRoute.ipv6 || ip.routed.has(iface.name)) return true;
  // An IPv6 link-local address appears on every IPv6-enabled link the moment it is up.
  return iface.addresses.some((a) => !(a.family === 'ipv6' && a.scope === 'link'));
}

/** `pfNets`: a PF's first interface by the PF's sysfs path, shared by its VFs (a PF may have hundreds). */
function readInterface(fs: HostFs, name: string, ip: IpState, pfNets: Map<string, string | null>): SysIface {
  const base = `${NET}/${name}`;
  const type = readInt(fs, `${base}/type`);
  const devicePath = fs.realPath(`${base}/device`);
  const device = devicePath ? pciAncestor(devicePath) : null;
  const kind = interfaceKind(fs, base, name, type, devicePath !== null);
  const ports = kind === 'bridge' ? fs.list(`${base}/brif`) : kind === 'bond' ? (fs.readText(`${base}/bonding/slaves`) ?? '').split(/\s+/).filter(Boolean) : [];
  // Only stacked interfaces (VLAN, macvlan, bridge...) have `lower_*` links; listing physical
  // NICs' directories would only bloat snapshots with placeholders.
  const stacked = kind !== 'physical' && kind !== 'loopback' && kind !== 'tap';
  const entries = stacked ? fs.list(base) : [];
  return {
    name,
    ifindex: readInt(fs, `${base}/ifindex`) ?? Number.MAX_SAFE_INTEGER,
    lowers: entries.filter((e) => e.startsWith('lower_')).map((e) => e.slice('lower_'.length)),
    iface: {
      name,
      mac: readTrimmed(fs, `${base}/address`),
      device,
      driver: basename(fs.readLink(`${base}/device/driver`)),
      operstate: readTrimmed(fs, `${base}/operstate`),
      speedMbps: readSpeed(fs, `${base}/speed`),
      mtu: readInt(fs, `${base}/mtu`),
      addresses: [...(ip.addresses.get(name) ?? [])],
      defaultRoute: { ipv4: ip.defaultRoutes.ipv4.has(name), ipv6: ip.defaultRoutes.ipv6.has(name) },
      master: basename(fs.readLink(`${base}/master`)),
      ports: [...ports],
      kind,
      pfInterface: devicePath ? pfInterface(fs, base, devicePath, pfNets) : null,
    },
  };
}

/**
 * The first interface of the PF behind a VF's interface (`device/physfn/net`), null for anything
 * else. `physfn` is the kernel's relative link from a VF to its PF, so the PF's directory is the
 * link resolved against the VF's (canonical) one: the VFs of one PF list its `net` only once.
 */
function pfInterface(fs: HostFs, base: string, devicePath: string, pfNets: Map<string, string | null>): string | null {
  const link = fs.readLink(`${base}/device/physfn`);
  if (link === null) return null;
  const pf = posix.resolve(devicePath, link);
  let first = pfNets.get(pf);
  if (first === undefined) pfNets.set(pf, (first = fs.list(`${base}/device/physfn/net`)[0] ?? null));
  return first;
}

/**
 * The PCI function an interface depends on: the nearest PCI address in its device path.
 * For most NICs that is the device itself; virtio-net sits one level below its PCI function
 * (`0000:00:03.0/virtio2`), a USB NIC below its USB controller — whose loss takes it down too.
 */
export function pciAncestor(devicePath: string): PciAddress | null {
  const parts = devicePath.split('/').filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = (parts[i] as string).toLowerCase();
    if (PCI_ADDRESS.test(part)) return part;
  }
  return null;
}

function interfaceKind(fs: HostFs, base: string, name: string, type: number | null, hasDevice: boolean): InterfaceKind {
  if (type === ARPHRD_LOOPBACK || name === 'lo') return 'loopback';
  if (fs.isDirectory(`${base}/bridge`)) return 'bridge';
  if (fs.isDirectory(`${base}/bonding`)) return 'bond';
  const devtype = /^DEVTYPE=(.*)$/m.exec(fs.readText(`${base}/uevent`) ?? '')?.[1]?.trim();
  if (devtype === 'bridge') return 'bridge';
  if (devtype === 'bond') return 'bond';
  if (devtype === 'vlan') return 'vlan';
  if (fs.exists(`${base}/tun_flags`)) return 'tap';
  if (hasDevice) return 'physical';
  return 'virtual';
}

function readTrimmed(fs: HostFs, path: string): string | null {
  const text = fs.readText(path)?.trim();
  return text ? text : null;
}

function readInt(fs: HostFs, path: string): number | null {
  const text = readTrimmed(fs, path);
  if (text === null || !/^-?\d+$/.test(text)) return null;
  return Number(text);
}

/** `speed` fails with EINVAL when the link is down or virtual, or reads -1 (SPEED_UNKNOWN). */
function readSpeed(fs: HostFs, path: string): number | null {
  const speed = readInt(fs, path);
  if (speed === null || speed < 0 || speed >= 0xffffffff) return null;
  return speed;
}

function basename(link: string | null): string | null {
  if (!link) return null;
  const name = link.replace(/\/+$/, '').split('/').pop();
  return name ? name : null;
}
