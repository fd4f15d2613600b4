/**
 * One full inventory of a host root — the document the GUI, the CLI (`scan --json`) and the
 * lab all consume. It only assembles: each probe reads its own part through the same HostFs,
 * so the live host, a snapshot and a test tree are scanned by exactly the same code.
 */
import type { HostScan, NetInterface, PciAddress, PciDevice, ScanSource, VfSettings } from '#shared/model';
import type { HostFs } from './fs/host-fs';
import type { CommandRunner } from './exec/run-command';
import { probePciDevices } from './probes/pci-devices';
import { probeIommuGroups } from './probes/iommu-groups';
import { probeVfioUsers } from './probes/vfio-users';
import { probeHostInfo } from './probes/host-info';
import { probeNetwork } from './probes/network';
import { probeHostNeeds } from './probes/host-needs';
import { loadIpState, type IpCapture, type LoadedIpState } from './probes/ip-state';
import { assessReadiness } from './readiness';
import { readSnapshotManifest, type SnapshotManifest } from './snapshot-format';

export interface ScanOptions {
  /** Runner for the few commands a live scan needs (`ip -j ...`); tests substitute it. */
  run?: CommandRunner;
  signal?: AbortSignal;
  /** Use this iproute2 capture instead of reading addresses and routes. */
  ipCapture?: IpCapture;
  /**
   * Whether to look for processes holding VFIO groups open (/proc/<pid>/fd). Snapshots say
   * no: listing /proc would record every process of the machine into the bug report.
   */
  processes?: boolean;
}

/** A scan plus the ip state it used (the snapshot writer stores that state). */
export interface ScanWithIp {
  scan: HostScan;
  ip: LoadedIpState;
}

/** Scans the host behind `fs`: the live machine when `fs.root` is `/`, else a snapshot or test tree. */
export async function scanHost(fs: HostFs, options: ScanOptions = {}): Promise<HostScan> {
  return (await scanHostWithIp(fs, options)).scan;
}

/** {@link scanHost}, also returning the addresses/routes source it read. */
export async function scanHostWithIp(fs: HostFs, options: ScanOptions = {}): Promise<ScanWithIp> {
  // The commands of a live scan (`ip -j …`) run while sysfs is read below: on a slow machine
  // they are much of a scan's time. Awaited once the sysfs part that does not need them is done.
  const ipPending = loadIpState(fs, { capture: options.ipCapture, run: options.run, signal: options.signal });
  ipPending.catch(() => undefined); // a probe below may throw first: the failure is still awaited (and thrown) when it is not
  const manifest = readSnapshotManifest(fs);

  const host = probeHostInfo(fs);
  // Whether the capturing user could open /dev/kvm is only knowable at capture time.
  if (manifest && host.kvmAccessible === null && manifest.kvmAccessible !== null) {
    host.kvmAccessible = manifest.kvmAccessible;
  }
  // Each device's interfaces are the network probe's (below), so devices and interfaces agree.
  const found = probePciDevices(fs, new Map());
  const ip = await ipPending;
  options.signal?.throwIfAborted();
  const interfaces = probeNetwork(fs, ip.state);
  const byDevice = interfacesByDevice(interfaces);
  for (const device of found) device.interfaces = byDevice.get(device.address) ?? [];
  const devices = withHostNeeds(fs, withVfSettings(found, ip.state.vfSettings), interfaces);
  // Only a group on vfio-pci can be held open: skip walking /proc when none is.
  const holders = options.processes !== false && devices.some((d) => d.driver === 'vfio-pci') ? probeVfioUsers(fs) : new Map();
  const groups = probeIommuGroups(fs, devices, holders);
  const source = sourceOf(fs, manifest);

  const scan: HostScan = {
    schemaVersion: 1,
    source,
    host,
    devices,
    groups,
    interfaces,
    readiness: assessReadiness(host, devices, groups),
  };
  return { scan, ip };
}

/** Each device with what of the host depends on it: its mounted disks, the display, the management NIC. */
function withHostNeeds(fs: HostFs, devices: PciDevice[], interfaces: NetInterface[]): PciDevice[] {
  const needs = probeHostNeeds(fs, devices);
  for (const i of interfaces) {
    if (!i.management || i.device === null) continue;
    const route = [i.defaultRoute.ipv4 ? 'IPv4' : null, i.defaultRoute.ipv6 ? 'IPv6' : null].filter(Boolean).join(' and ');
    const why = route
      ? `it carries the host's default ${route} route (${i.name})`
      : i.master
        ? `its ${i.name} is a port of ${i.master}, which carries the host's default route`
        : `its ${i.name} carries a link (VLAN, macvlan) with the host's default route`;
    needs.set(i.device, [...(needs.get(i.device) ?? []), { kind: 'management-nic', detail: why }]);
  }
  return needs.size === 0 ? devices : devices.map((d) => (needs.has(d.address) ? { ...d, hostNeeds: needs.get(d.address) ?? [] } : d));
}

/** What a scan of `fs` would say about where it comes from, without scanning. */
export function scanSource(fs: HostFs): ScanSource {
  return sourceOf(fs, readSnapshotManifest(fs));
}

function sourceOf(fs: HostFs, manifest: SnapshotManifest | null): ScanSource {
  // Any root other than `/` is a host tree read from disk (a snapshot, a test tree): it is
  // labelled as such so nobody mistakes it for this machine, manifest or not.
  return {
    kind: fs.root === '/' ? 'live' : 'snapshot',
    root: fs.root,
    capturedAt: manifest?.capturedAt || null,
    hostname: manifest?.hostname ?? null,
  };
}

/**
 * The network probe is the authority on which interface sits on which function (it also
 * sees virtio-net one level below its PCI function), so devices list exactly those names
 * (and the device probe need not read /sys/class/net a second time).
 */
function interfacesByDevice(interfaces: NetInterface[]): Map<PciAddress, string[]> {
  const byDevice = new Map<PciAddress, string[]>();
  for (const iface of interfaces) {
    if (!iface.device) continue;
    const list = byDevice.get(iface.device) ?? [];
    list.push(iface.name);
    byDevice.set(iface.device, list);
  }
  return byDevice;
}

/** A PF's VF table as its driver reports it (`ip -j link show` of the PF's interface). */
function withVfSettings(devices: PciDevice[], byInterface: Map<string, VfSettings[]> | null): PciDevice[] {
  if (byInterface === null) return devices;
  return devices.map((d) => {
    if (!d.sriov) return d;
    const pfIf = d.interfaces.find((name) => byInterface.has(name));
    // A PF whose interface lists no VFs (none enabled, or a driver without a VF table) has none to show.
    const vfSettings = pfIf ? (byInterface.get(pfIf) ?? []) : d.interfaces.length ? [] : null;
    return { ...d, sriov: { ...d.sriov, vfSettings } };
  });
}
