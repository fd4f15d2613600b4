/**
 * Lookup tables over one HostScan. Views cross-reference constantly (device → group →
 * members → interfaces), so the maps are built once per scan object and cached.
 */
import type { HostScan, IommuGroup, NetInterface, PciDevice } from '#shared/model';

export interface ScanIndex {
  deviceByAddress: Map<string, PciDevice>;
  groupById: Map<number, IommuGroup>;
  interfaceByName: Map<string, NetInterface>;
  /** Interfaces by the PCI function behind them. */
  interfacesByDevice: Map<string, NetInterface[]>;
  /** Devices whose interfaces carry management traffic. */
  managementDevices: Set<string>;
  /** Devices each VF points back to (physfn → VFs), including VFs missing from sriov.vfs. */
  vfsByPf: Map<string, PciDevice[]>;
}

const cache = new WeakMap<HostScan, ScanIndex>();

export function indexScan(scan: HostScan): ScanIndex {
  const hit = cache.get(scan);
  if (hit) return hit;
  const deviceByAddress = new Map(scan.devices.map((d) => [d.address, d]));
  const groupById = new Map(scan.groups.map((g) => [g.id, g]));
  const interfaceByName = new Map(scan.interfaces.map((i) => [i.name, i]));
  const interfacesByDevice = new Map<string, NetInterface[]>();
  const managementDevices = new Set<string>();
  for (const i of scan.interfaces) {
    if (!i.device) continue;
    const list = interfacesByDevice.get(i.device) ?? [];
    list.push(i);
    interfacesByDevice.set(i.device, list);
    if (i.management) managementDevices.add(i.device);
  }
  const vfsByPf = new Map<string, PciDevice[]>();
  for (const d of scan.devices) {
    if (!d.physfn) continue;
    const list = vfsByPf.get(d.physfn) ?? [];
    list.push(d);
    vfsByPf.set(d.physfn, list);
  }
  const index = { deviceByAddress, groupById, interfaceByName, interfacesByDevice, managementDevices, vfsByPf };
  cache.set(scan, index);
  return index;
}

/** Interfaces of a device: those the scan links by address, plus names the device lists. */
export function interfacesOf(index: ScanIndex, device: PciDevice): NetInterface[] {
  const linked = index.interfacesByDevice.get(device.address) ?? [];
  const extra = device.interfaces
    .filter((n) => !linked.some((i) => i.name === n))
    .map((n) => index.interfaceByName.get(n))
    .filter((i): i is NetInterface => i !== undefined);
  return [...linked, ...extra];
}
