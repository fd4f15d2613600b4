/**
 * The rows of a PF's VF table: each VF by index, joining what the PF driver holds for it
 * (sriov.vfSettings, from iproute2), its PCI function (sriov.vfs) and that function in the scan
 * (driver, IOMMU group, interface).
 */
import type { NetInterface, PciDevice, VfioGroupUser, VfSettings } from '#shared/model';
import { NONE } from './format';
import { interfacesOf, type ScanIndex } from './scan-index';

export interface VfRow {
  index: number;
  /** Null when the PF reports settings for a VF whose function is not listed. */
  address: string | null;
  settings: VfSettings | null;
  /** Null when the VF's function is not in the scan. */
  device: PciDevice | null;
  interfaces: NetInterface[];
  /** Processes holding the VF's VFIO group open (a running VM). */
  openBy: VfioGroupUser[];
}

export function vfRows(pf: PciDevice, index: ScanIndex): VfRow[] {
  const sriov = pf.sriov;
  if (!sriov) return [];
  const settingsByIndex = new Map((sriov.vfSettings ?? []).map((s) => [s.index, s]));
  const count = Math.max(sriov.vfs.length, ...[...settingsByIndex.keys()].map((i) => i + 1));
  const rows: VfRow[] = [];
  for (let i = 0; i < count; i++) {
    const address = sriov.vfs[i] ?? null;
    const device = address ? (index.deviceByAddress.get(address) ?? null) : null;
    const openBy = device?.iommuGroup != null ? (index.groupById.get(device.iommuGroup)?.openBy ?? []) : [];
    rows.push({ index: i, address, settings: settingsByIndex.get(i) ?? null, device, interfaces: device ? interfacesOf(index, device) : [], openBy });
  }
  return rows;
}

/** "10", "10 (priority 3)", "none" (untagged), or a dash when not reported. */
export function formatVlan(s: VfSettings | null): string {
  if (!s) return NONE;
  if (s.vlan === 0) return 'none';
  return s.qos ? `${s.vlan} (priority ${s.qos})` : String(s.vlan);
}

export function formatOnOff(v: boolean | null | undefined): string {
  return v === true ? 'on' : v === false ? 'off' : NONE;
}

/** The VF's index under its PF (its virtfn number), or null when the PF does not list it. */
export function vfIndexOf(vf: PciDevice, index: ScanIndex): number | null {
  if (!vf.physfn) return null;
  const i = index.deviceByAddress.get(vf.physfn)?.sriov?.vfs.indexOf(vf.address) ?? -1;
  return i >= 0 ? i : null;
}

/** "qemu-system-x86 (pid 4242)", several joined, or a dash when nothing holds the VF. */
export function formatOpenBy(users: VfioGroupUser[]): string {
  return users.length ? users.map((u) => `${u.command} (pid ${u.pid})`).join(', ') : NONE;
}
