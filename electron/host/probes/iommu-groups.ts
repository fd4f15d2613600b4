import type { GroupBlocker, IommuGroup, PciAddress, PciDevice, VfioGroupUser } from '#shared/model';
import { assessGroup, type GroupMember } from '#shared/group-passthrough';
import type { HostFs } from '../fs/host-fs';
import { sortPciAddresses } from './pci-devices';
import { readHex, readLinkBase } from './sysfs-read';

const GROUPS = '/sys/kernel/iommu_groups';

/** Drivers under which a group member does not stop VFIO from taking the group. */
export const VFIO_FRIENDLY_DRIVERS: readonly string[] = ['vfio-pci', 'pci-stub'];

/**
 * IOMMU groups with their members and a VFIO viability verdict. VFIO hands a VM whole groups
 * only: every member must be driver-less, on vfio-pci, on pci-stub, or a bridge, and the
 * members that are not are named so the user knows exactly what to unbind.
 */
/** `users`: processes holding each group open (probes/vfio-users.ts); none by default. */
export function probeIommuGroups(fs: HostFs, devices: PciDevice[], users: Map<number, VfioGroupUser[]> = new Map()): IommuGroup[] {
  const byAddress = new Map(devices.map((d) => [d.address, d]));
  const ids = fs
    .list(GROUPS)
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
  return ids.map((id) => {
    const members = sortPciAddresses(fs.list(`${GROUPS}/${id}/devices`));
    const blockers: GroupBlocker[] = [];
    const seen = new Map<PciAddress, GroupMember>();
    for (const address of members) {
      const member = memberFacts(fs, id, address, byAddress.get(address));
      seen.set(address, byAddress.get(address) ?? { address, driver: member.driver, isBridge: member.bridge, className: null, hostNeeds: [], sriov: null });
      if (!member.bridge && member.driver !== null && !VFIO_FRIENDLY_DRIVERS.includes(member.driver)) {
        blockers.push({ address, driver: member.driver });
      }
    }
    // A PF's VFs live in other groups: the verdict looks them up among all devices, this
    // group's own facts first. Looked up in both, never copied: a copy per group made the scan
    // quadratic (8,192 functions: 11 s instead of 1.2 s).
    const lookup = { get: (a: PciAddress) => seen.get(a) ?? byAddress.get(a) };
    return { id, devices: members, viable: blockers.length === 0, passthrough: assessGroup(members, lookup), blockers, openBy: users.get(id) ?? [] };
  });
}

/** Driver and bridge-ness of a member, from the device list or (non-PCI members, races) sysfs. */
function memberFacts(fs: HostFs, group: number, address: PciAddress, known: PciDevice | undefined): { driver: string | null; bridge: boolean } {
  if (known !== undefined) return { driver: known.driver, bridge: known.isBridge };
  const dir = `${GROUPS}/${group}/devices/${address}`;
  const cls = readHex(fs, `${dir}/class`, 6);
  return { driver: readLinkBase(fs, `${dir}/driver`), bridge: cls !== null && cls.startsWith('06') };
}
