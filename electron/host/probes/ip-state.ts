/**
 * Addresses and routes: the part of a host's network state that sysfs does not hold. On the
 * live host it comes from iproute2's JSON (`ip -j`), run through the exec seam; a snapshot
 * carries that JSON verbatim (so better parsers can re-read old snapshots); when neither is
 * available it falls back to procfs, where IPv4 addresses are not listed.
 */
import type { IpAddress, VfSettings } from '#shared/model';
import type { HostFs } from '../fs/host-fs';
import { CommandError, runCommand, type CommandRunner } from '../exec/run-command';
import { SNAPSHOT_IP_STATE_PATH } from '../snapshot-format';

/** The raw iproute2 output, exactly as `ip -j` printed it; stored in snapshots as is. */
export interface IpCapture {
  formatVersion: 1;
  /** `ip -j address show` */
  address: unknown;
  /** `ip -j -4 route show` (main table; includes the default routes) */
  route4: unknown;
  /** `ip -j -6 route show` (main table) */
  route6: unknown;
  /**
   * `ip -j link show`: the per-VF settings of SR-IOV PFs (`vfinfo_list`), which `ip address`
   * does not print. Absent in snapshots taken before it was captured.
   */
  link?: unknown;
}

/** The commands behind {@link IpCapture}, in field order. */
export const IP_COMMANDS = {
  address: ['ip', '-j', 'address', 'show'],
  route4: ['ip', '-j', '-4', 'route', 'show'],
  route6: ['ip', '-j', '-6', 'route', 'show'],
  link: ['ip', '-j', 'link', 'show'],
} as const;

/** Parsed view every consumer uses, whatever the source. */
export interface IpState {
  source: 'iproute2' | 'snapshot' | 'procfs' | 'none';
  /** False when IPv4 addresses could not be read (procfs fallback): absence proves nothing. */
  ipv4AddressesKnown: boolean;
  addresses: Map<string, IpAddress[]>;
  /** Interfaces the default route leaves through, per family (several with ECMP). */
  defaultRoutes: { ipv4: Set<string>; ipv6: Set<string> };
  /** Interfaces any main-table route leaves through (IPv6 link-local and multicast aside). */
  routed: Set<string>;
  /** Per-VF settings by PF interface name; null when `ip -j link show` was not read. */
  vfSettings: Map<string, VfSettings[]> | null;
}

export interface LoadIpStateOptions {
  /** Use this capture instead of reading one (snapshot capture passes what it recorded). */
  capture?: IpCapture;
  run?: CommandRunner;
  signal?: AbortSignal;
}

export interface LoadedIpState {
  state: IpState;
  /** The iproute2 capture the state came from, or null (procfs / nothing). */
  capture: IpCapture | null;
}

/**
 * Reads the ip state for a root: the live host (`/`) asks iproute2; another root reads the
 * snapshot's captured JSON; both fall back to procfs under the root.
 */
export async function loadIpState(fs: HostFs, options: LoadIpStateOptions = {}): Promise<LoadedIpState> {
  if (options.capture) return { state: parseIpCapture(options.capture, 'iproute2'), capture: options.capture };
  if (fs.root === '/') {
    const capture = await captureIp(options.run ?? runCommand, options.signal);
    if (capture) {
      const state = tryParse(capture, 'iproute2');
      if (state) return { state, capture };
    }
  } else {
    const text = fs.readText(SNAPSHOT_IP_STATE_PATH);
    if (text !== null) {
      const capture = tryJson(text) as IpCapture | null;
      const state = capture ? tryParse(capture, 'snapshot') : null;
      if (capture && state) return { state, capture };
    }
  }
  return { state: readProcNet(fs), capture: null };
}

/** Runs the three `ip -j` commands; null when iproute2 is missing or refuses. */
export async function captureIp(run: CommandRunner, signal?: AbortSignal): Promise<IpCapture | null> {
  try {
    const opts = { timeoutMs: 10_000, signal };
    const [address, route4, route6, link] = await Promise.all([
      run(IP_COMMANDS.address, opts),
      run(IP_COMMANDS.route4, opts),
      // A kernel booted with ipv6.disable=1 refuses the IPv6 query: no IPv6 routes then.
      run(IP_COMMANDS.route6, opts).catch((err: unknown) => {
        if (err instanceof CommandError && err.failure === 'exit') return { stdout: '[]' };
        throw err;
      }),
      // Only VF settings come from here: without it the scan still stands.
      run(IP_COMMANDS.link, opts).catch((err: unknown) => {
        if (err instanceof CommandError && err.failure === 'exit') return null;
        throw err;
      }),
    ]);
    return {
      formatVersion: 1,
      address: JSON.parse(address.stdout || '[]'),
      route4: JSON.parse(route4.stdout || '[]'),
      route6: JSON.parse(route6.stdout || '[]'),
      ...(link ? { link: JSON.parse(link.stdout || '[]') } : {}),
    };
  } catch (err) {
    if (err instanceof CommandError && err.failure === 'aborted') throw err;
    if (err instanceof CommandError || err instanceof SyntaxError) return null;
    throw err;
  }
}

interface IpVfInfo {
  vf?: number;
  address?: string;
  vlan_list?: { vlan?: number; qos?: number }[];
  vlan?: number;
  qos?: number;
  spoofchk?: boolean;
  trust?: boolean;
  link_state?: string;
}

interface IpLink {
  ifname?: string;
  vfinfo_list?: IpVfInfo[];
  addr_info?: { family?: string; local?: string; prefixlen?: number; scope?: string | number }[];
}
interface IpRoute {
  type?: string;
  dst?: string;
  dev?: string;
  nexthops?: { dev?: string }[];
}

const NON_FORWARDING = new Set(['unreachable', 'blackhole', 'prohibit', 'throw']);

/** Parses an iproute2 capture; throws on a shape that is not `ip -j` output. */
export function parseIpCapture(capture: IpCapture, source: IpState['source']): IpState {
  const state = emptyState(source);
  state.ipv4AddressesKnown = true;
  for (const link of asArray<IpLink>(capture.address, 'address')) {
    if (!link.ifname) continue;
    const list: IpAddress[] = [];
    for (const a of link.addr_info ?? []) {
      if ((a.family !== 'inet' && a.family !== 'inet6') || !a.local || typeof a.prefixlen !== 'number') continue;
      list.push({
        family: a.family === 'inet' ? 'ipv4' : 'ipv6',
        address: a.local,
        prefixLength: a.prefixlen,
        scope: a.scope === undefined ? null : String(a.scope),
      });
    }
    state.addresses.set(link.ifname, list);
  }
  for (const [family, raw] of [
    ['ipv4', capture.route4],
    ['ipv6', capture.route6],
  ] as const) {
    for (const route of asArray<IpRoute>(raw, family)) {
      if (route.type && NON_FORWARDING.has(route.type)) continue;
      const devs = [route.dev, ...(route.nexthops ?? []).map((h) => h.dev)].filter((d): d is string => !!d);
      for (const dev of devs) {
        if (route.dst === 'default' || route.dst === '0.0.0.0/0' || route.dst === '::/0') {
          state.defaultRoutes[family].add(dev);
        }
        if (route.type !== 'multicast' && !isLinkLocalOrMulticast(route.dst ?? '')) state.routed.add(dev);
      }
    }
  }
  if (capture.link !== undefined) {
    state.vfSettings = new Map();
    for (const link of asArray<IpLink>(capture.link, 'link')) {
      if (link.ifname && Array.isArray(link.vfinfo_list)) state.vfSettings.set(link.ifname, link.vfinfo_list.map(parseVfInfo));
    }
  }
  return state;
}

/** One `vfinfo_list` entry. Newer iproute2 nests the VLAN in `vlan_list` (`[{}]` when untagged). */
export function parseVfInfo(v: IpVfInfo, position: number): VfSettings {
  const vlan = v.vlan_list?.[0] ?? { vlan: v.vlan, qos: v.qos };
  const mac = typeof v.address === 'string' ? v.address.toLowerCase() : null;
  return {
    index: typeof v.vf === 'number' ? v.vf : position,
    mac: mac === null || mac === '00:00:00:00:00:00' ? null : mac,
    vlan: typeof vlan.vlan === 'number' ? vlan.vlan : 0,
    qos: typeof vlan.qos === 'number' ? vlan.qos : 0,
    spoofCheck: typeof v.spoofchk === 'boolean' ? v.spoofchk : null,
    trust: typeof v.trust === 'boolean' ? v.trust : null,
    linkState: v.link_state === 'auto' || v.link_state === 'enable' || v.link_state === 'disable' ? v.link_state : null,
  };
}

/** IPv6 link-local and multicast routes exist on every IPv6-enabled link: they prove no use. */
function isLinkLocalOrMulticast(dst: string): boolean {
  const d = dst.toLowerCase();
  return d.startsWith('fe80:') || d.startsWith('ff');
}

const RTF_UP = 0x1;
const RTF_REJECT = 0x200;
const RTF_LOCAL = 0x80000000;

/** The procfs fallback: routes from /proc/net/route and ipv6_route, IPv6 addresses from if_inet6. */
export function readProcNet(fs: HostFs): IpState {
  const route4 = fs.readText('/proc/net/route');
  const route6 = fs.readText('/proc/net/ipv6_route');
  const inet6 = fs.readText('/proc/net/if_inet6');
  const state = emptyState(route4 || route6 || inet6 ? 'procfs' : 'none');

  // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
  for (const line of (route4 ?? '').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [dev, dest, , flagsHex, , , , mask] = f as [string, string, string, string, string, string, string, string];
    const flags = parseInt(flagsHex, 16);
    if (!(flags & RTF_UP) || flags & RTF_REJECT) continue;
    state.routed.add(dev);
    if (parseInt(dest, 16) === 0 && parseInt(mask, 16) === 0) state.defaultRoutes.ipv4.add(dev);
  }
  // dest plen src plen nexthop metric refcnt use flags dev
  for (const line of (route6 ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const dest = f[0] as string;
    const plen = parseInt(f[1] as string, 16);
    const flags = parseInt(f[8] as string, 16) >>> 0;
    const dev = f[9] as string;
    if (!(flags & RTF_UP) || flags & RTF_REJECT || flags & RTF_LOCAL) continue;
    const lower = dest.toLowerCase();
    if (lower.startsWith('fe80') || lower.startsWith('ff')) continue;
    state.routed.add(dev);
    if (plen === 0 && /^0+$/.test(dest)) state.defaultRoutes.ipv6.add(dev);
  }
  // address ifindex prefixlen scope flags name (all hex)
  for (const line of (inet6 ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || !/^[0-9a-f]{32}$/i.test(f[0] as string)) continue;
    const name = f[5] as string;
    const list = state.addresses.get(name) ?? [];
    list.push({
      family: 'ipv6',
      address: compressIpv6(f[0] as string),
      prefixLength: parseInt(f[2] as string, 16),
      scope: ipv6Scope(parseInt(f[3] as string, 16)),
    });
    state.addresses.set(name, list);
  }
  // if_inet6 is in hash order; list wider scopes first, as `ip address` does.
  const rank = (scope: string | null): number => ['global', 'site', 'link', 'host'].indexOf(scope ?? '') >>> 0;
  for (const list of state.addresses.values()) list.sort((a, b) => rank(a.scope) - rank(b.scope));
  return state;
}

/** 32 hex digits → RFC 5952 text (the WHATWG URL serializer implements exactly that). */
export function compressIpv6(hex32: string): string {
  const groups = hex32.toLowerCase().match(/.{4}/g) ?? [];
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

function ipv6Scope(scope: number): string {
  switch (scope & 0xf0) {
    case 0x00:
      return 'global';
    case 0x10:
      return 'host';
    case 0x20:
      return 'link';
    case 0x40:
      return 'site';
    default:
      return String(scope);
  }
}

function emptyState(source: IpState['source']): IpState {
  return {
    source,
    ipv4AddressesKnown: false,
    addresses: new Map(),
    defaultRoutes: { ipv4: new Set(), ipv6: new Set() },
    routed: new Set(),
    vfSettings: null,
  };
}

function asArray<T>(value: unknown, what: string): T[] {
  if (!Array.isArray(value)) throw new TypeError(`ip ${what} output is not a JSON array`);
  return value as T[];
}

function tryParse(capture: IpCapture, source: IpState['source']): IpState | null {
  try {
    return parseIpCapture(capture, source);
  } catch {
    return null;
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
