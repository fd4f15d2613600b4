/**
 * The passthrough verdict of an IOMMU group (shared/model.ts PassthroughState), worked out
 * once on the host side for every view — the CLI, the Overview's counts, the groups page, the
 * devices table, the topology and the wizards — so none of them judges by the kernel's
 * `viable` alone, which is true of a group of bridges and false of a NIC alone on its driver.
 */
import type { GroupPassthrough, PciAddress, PciDevice } from './model';

/** What the verdict reads of a member (a member the device list missed is read from sysfs alone). */
export type GroupMember = Pick<PciDevice, 'address' | 'driver' | 'isBridge' | 'className' | 'hostNeeds' | 'sriov'> & Partial<Pick<PciDevice, 'parent'>>;

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
      ...ALONE,
    };
  }
  const needed = endpoints.flatMap((d) => hostReasons(d, byAddress));
  const joins = endpoints.length > 1 ? whatJoins(endpoints, bridges, byAddress) : ALONE;
  if (needed.length > 0) return { state: 'blocked', reasons: needed, members: addresses, ...joins };

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
      ...joins,
    };
  }
  const joined = bridges.length ? ` Bridges in the group (${list(bridges.map((b) => b.address))}) stay with the host.` : '';
  if (endpoints.length === 1) {
    const d = endpoints[0] as GroupMember;
    return {
      state: 'assignable',
      reasons: [`${d.address} is on ${d.driver ?? 'no driver'}, and nothing of this host depends on it: assigning it to vfio-pci makes the group ready.${joined}`],
      members: addresses,
      ...ALONE,
    };
  }
  const drivers = endpoints.map((d) => `${d.address} (${d.driver ?? 'no driver'})`);
  return {
    state: 'shared',
    reasons: [`${endpoints.length} devices share this group: ${list(drivers)}. The kernel isolates them only together, so a VM gets them all, each on vfio-pci.${joined}`],
    members: addresses,
    ...joins,
  };
}

const ALONE = { joinedBy: [] as string[], options: [] as string[] };

/** Domain, bus and slot of an address: functions of one device share it. */
const slotOf = (a: PciAddress): string => a.slice(0, a.lastIndexOf('.'));

/**
 * What keeps several endpoints in one group, read from where they sit: functions of one device
 * (a multifunction device without ACS between its functions), devices behind a bridge in the
 * group (a conventional PCI bridge cannot keep its devices apart; a PCIe port can only with
 * ACS), or, when the group shows neither, a port above them without ACS.
 */
function whatJoins(endpoints: GroupMember[], bridges: GroupMember[], byAddress: ReadonlyMap<PciAddress, GroupMember>): { joinedBy: string[]; options: string[] } {
  const joinedBy: string[] = [];
  const slots = new Map<string, string[]>();
  for (const d of endpoints) slots.set(slotOf(d.address), [...(slots.get(slotOf(d.address)) ?? []), d.address]);
  for (const [slot, fns] of slots) {
    if (fns.length > 1) joinedBy.push(`${list(fns)} are functions of one device (slot ${slot}), which does not isolate its functions from each other (no ACS between them).`);
  }
  const inGroup = new Set(bridges.map((b) => b.address));
  const behind = new Map<PciAddress, PciAddress[]>();
  for (const d of endpoints) {
    const parent = byAddress.get(d.address)?.parent ?? null;
    if (parent && inGroup.has(parent)) behind.set(parent, [...(behind.get(parent) ?? []), d.address]);
  }
  for (const [bridge, under] of behind) {
    const b = byAddress.get(bridge);
    joinedBy.push(`${list(under)} ${under.length === 1 ? 'sits' : 'sit'} behind ${bridge} (${b?.className ?? 'bridge'}), which cannot keep devices apart: a conventional PCI bridge never can, a PCIe port only with ACS (Access Control Services).`);
  }
  if (joinedBy.length === 0) joinedBy.push('A port above them does not isolate them from each other (it lacks ACS, Access Control Services), so the kernel put them in one group.');
  return { joinedBy, options: SHARED_OPTIONS };
}

/** What a user can do about a shared group, most to least advisable. */
const SHARED_OPTIONS = [
  'Give the whole group to one VM: assign every device in it to vfio-pci.',
  "Move the card to another slot: slots wired to the CPU's own root ports usually have a group of their own.",
  "Look for an ACS setting in the firmware (BIOS/UEFI); some boards can turn it on for their ports.",
  'The ACS override kernel patch (pcie_acs_override=) splits the group by pretending an isolation the hardware lacks: the devices can still reach each other, so a VM could reach the host\'s — use it only on a machine where that risk is acceptable.',
];
