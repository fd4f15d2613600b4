/**
 * The passthrough verdict of an IOMMU group (shared/model.ts PassthroughState), worked out
 * once on the host side for every view — the CLI, the Overview's counts, the groups page, the
 * devices table, the topology and the wizards — so none of them judges by the kernel's
 * `viable` alone, which is true of a group of bridges and false of a NIC alone on its driver.
 */
import type { GroupPassthrough, PciAddress, PciDevice } from './model';

/** What the verdict reads of a member (a member the device list missed is read from sysfs alone). */
export type GroupMember = Pick<PciDevice, 'address' | 'driver' | 'isBridge' | 'className' | 'hostNeeds' | 'sriov'>;

/** Drivers that leave a device ready for VFIO or out of the way: not the host's. */
const VFIO_SIDE = new Set(['vfio-pci', 'pci-stub']);

const list = (items: string[]): string => (items.length <= 2 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

function bridgeWords(d: GroupMember): string {
  return `${d.address} (${d.className ?? 'bridge'})`;
}

/** Why the host cannot give `d` up — its own needs, and for a PF those of its VFs (rebinding it destroys them). */
function hostReasons(d: GroupMember, byAddress: ReadonlyMap<PciAddress, GroupMember>): string[] {
  const own = d.hostNeeds.map((n) => `${d.address} is needed by this host: ${n.detail}.`);
  const vfs = (d.sriov?.numVfs ? d.sriov.vfs : [])
    .map((a) => byAddress.get(a))
    .filter((v): v is GroupMember => v !== undefined)
    .flatMap((v) => v.hostNeeds.filter((n) => n.kind === 'management-nic').map((n) => `${d.address} is a PF whose VF ${v.address} is needed by this host (${n.detail}); rebinding the PF destroys its VFs.`));
  return [...own, ...vfs];
}

export function assessGroup(memberAddresses: readonly PciAddress[], byAddress: ReadonlyMap<PciAddress, GroupMember>): GroupPassthrough {
  const members = memberAddresses.map((a) => byAddress.get(a)).filter((d): d is GroupMember => d !== undefined);
  const endpoints = members.filter((d) => !d.isBridge);
  const bridges = members.filter((d) => d.isBridge);
  const addresses = endpoints.map((d) => d.address);
  if (endpoints.length === 0) {
    return {
      state: 'host-only',
      reasons: [`Only ${list(bridges.map(bridgeWords))}: bridges and ports stay with the host, so there is nothing here to give a VM.`],
      members: [],
    };
  }
  const needed = endpoints.flatMap((d) => hostReasons(d, byAddress));
  if (needed.length > 0) return { state: 'blocked', reasons: needed, members: addresses };

  const onHost = endpoints.filter((d) => d.driver !== null && !VFIO_SIDE.has(d.driver));
  const onVfio = endpoints.filter((d) => d.driver === 'vfio-pci');
  if (onHost.length === 0 && onVfio.length > 0) {
    const idle = endpoints.filter((d) => d.driver !== 'vfio-pci');
    return {
      state: 'ready',
      reasons: [
        `${list(onVfio.map((d) => d.address))} ${onVfio.length === 1 ? 'is' : 'are'} on vfio-pci: a VM can take ${endpoints.length === 1 ? 'it' : 'the group'} now.`,
        ...(idle.length ? [`${list(idle.map((d) => `${d.address} (${d.driver ?? 'no driver'})`))} ${idle.length === 1 ? 'does' : 'do'} not stand in the way.`] : []),
      ],
      members: addresses,
    };
  }
  const joined = bridges.length ? ` Bridges in the group (${list(bridges.map((b) => b.address))}) stay with the host.` : '';
  if (endpoints.length === 1) {
    const d = endpoints[0] as GroupMember;
    return {
      state: 'assignable',
      reasons: [`${d.address} is on ${d.driver ?? 'no driver'}, and nothing of this host depends on it: assigning it to vfio-pci makes the group ready.${joined}`],
      members: addresses,
    };
  }
  const drivers = endpoints.map((d) => `${d.address} (${d.driver ?? 'no driver'})`);
  return {
    state: 'shared',
    reasons: [`${endpoints.length} devices share this group: ${list(drivers)}. The kernel isolates them only together, so a VM gets them all, each on vfio-pci.${joined}`],
    members: addresses,
  };
}
