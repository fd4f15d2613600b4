/**
 * Builds the PF → VF tree for SR-IOV NICs from the device list: each physical function with
 * its virtual functions in virtfn order, and the interfaces on both, linked by PCI address.
 */
import type { HostScan, NetInterface, PciDevice } from '#shared/model';
import { compareAddress } from './device-sort';
import { indexScan, interfacesOf } from './scan-index';

export interface VfNode {
  /** virtfn index, or null for a VF that names this PF but is missing from its list. */
  index: number | null;
  address: string;
  /** Null when the VF's device is not in the scan (e.g. filtered out of a snapshot). */
  device: PciDevice | null;
  interfaces: NetInterface[];
}

export interface PfNode {
  address: string;
  device: PciDevice | null;
  interfaces: NetInterface[];
  totalVfs: number | null;
  numVfs: number | null;
  vfs: VfNode[];
}

/**
 * Every SR-IOV capable function (VFs enabled or not), plus any PF that VFs point to but
 * that has no sriov data. Sorted by address.
 */
export function buildSriovTree(scan: HostScan): PfNode[] {
  const index = indexScan(scan);
  const pfs = new Map<string, PfNode>();
  const vfNode = (address: string, idx: number | null): VfNode => {
    const device = index.deviceByAddress.get(address) ?? null;
    return { index: idx, address, device, interfaces: device ? interfacesOf(index, device) : [] };
  };
  for (const d of scan.devices) {
    if (!d.sriov) continue;
    pfs.set(d.address, {
      address: d.address,
      device: d,
      interfaces: interfacesOf(index, d),
      totalVfs: d.sriov.totalVfs,
      numVfs: d.sriov.numVfs,
      vfs: d.sriov.vfs.map((a, i) => vfNode(a, i)),
    });
  }
  for (const [pfAddress, vfs] of index.vfsByPf) {
    let pf = pfs.get(pfAddress);
    if (!pf) {
      const device = index.deviceByAddress.get(pfAddress) ?? null;
      pf = {
        address: pfAddress,
        device,
        interfaces: device ? interfacesOf(index, device) : [],
        totalVfs: null,
        numVfs: null,
        vfs: [],
      };
      pfs.set(pfAddress, pf);
    }
    for (const vf of vfs) {
      if (!pf.vfs.some((n) => n.address === vf.address)) pf.vfs.push(vfNode(vf.address, null));
    }
  }
  return [...pfs.values()].sort((a, b) => compareAddress(a.address, b.address));
}
