/**
 * The passthrough verdict of an IOMMU group (shared/model.ts PassthroughState), worked out
 * once on the host side for every view — the CLI, the Overview's counts, the groups page, the
 * devices table, the topology and the wizards — so none of them judges by the kernel's
 * `viable` alone, which is true of a group of bridges and false of a NIC alone on its driver.
 */
import type { AcsControl, GroupPassthrough, PciAddress, PciDevice } from './model';

/** What the verdict reads of a member (a member the device list missed is read from sysfs alone). */
export type GroupMember = Pick<PciDevice, 'address' | 'driver' | 'isBridge' | 'className' | 'hostNeeds' | 'sriov'> & Partial<Pick<PciDevice, 'parent' | 'acs'>>;

/** Drivers that leave a device ready for VFIO or out of the way: not the host's. */
const VFIO_SIDE = new Set(['vfio-pci', 'pci-stub']);

const list = (items: string[]): string => (items.length <= 2 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

function bridgeWords(d: GroupMember): string {
  return `${d.address} (${d.className ?? 'bridge'})`;
}

/** Why the host cannot give `d` up — its own needs, and for a PF those of its VFs (rebinding it destroys them). */
function hostReasons(d: GroupMember, byAddress: MemberLookup): string[] {
  const own = d.hostNeeds.map((n) => `${d.address} is needed by this host: ${n.detail}.`);
  const vfs = (d.sriov?.numVfs ? d.sriov.vfs : [])
    .map((a) => byAddress.get(a))
    .filter((v): v is GroupMember => v !== undefined)
    .flatMap((v) =>
      v.hostNeeds
        .filter((n) => n.kind === 'management-nic')
        .map((n) => `${d.address} is a PF whose VF ${v.address} is needed by this host (${n.detail}); rebinding the PF destroys its VFs.`),
    );
  return [...own, ...vfs];
}

/** Finds a device by address: a Map, or anything with its `get` (the scan looks in two maps at once). */
export type MemberLookup = Pick<ReadonlyMap<PciAddress, GroupMember>, 'get'>;

export function assessGroup(memberAddresses: readonly PciAddress[], byAddress: MemberLookup): GroupPassthrough {
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
  const joins = endpoints.length > 1 ? whatJoins(endpoints, byAddress) : ALONE;
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

const CONTROL_WORDS: Record<AcsControl, string> = {
  'source-validation': 'Source Validation',
  'request-redirect': 'P2P Request Redirect',
  'completion-redirect': 'P2P Completion Redirect',
  'upstream-forwarding': 'Upstream Forwarding',
};

/** Why a function's ACS could not be read, for "Passthru could not read …" sentences. */
function unreadable(d: GroupMember): string {
  return d.acs
    ? 'config space beyond the first 64 bytes needs root (running Passthru as root, or a snapshot captured as root, would tell)'
    : 'its config space could not be read (a snapshot taken by an older Passthru does not hold it)';
}

/** "root port 0000:00:1c.0 (PCI bridge)": the kind of bridge its config space states, when known. */
function bridgeName(b: GroupMember): string {
  const kind = b.acs?.portType;
  const noun =
    kind === 'root-port'
      ? 'root port '
      : kind === 'downstream-port'
        ? 'downstream port '
        : kind === 'upstream-port'
          ? 'switch upstream port '
          : kind === 'conventional'
            ? 'conventional PCI bridge '
            : '';
  return `${noun}${b.address} (${b.className ?? 'bridge'})`;
}

/** The sentence for endpoints that sit below `b`, the first bridge above them that does not (or may not) isolate them. */
function behindSentence(under: PciAddress[], b: GroupMember): string {
  const sit = `${list(under)} ${under.length === 1 ? 'sits' : 'sit'}`;
  const acs = b.acs;
  if (!acs || acs.isolates === null) {
    return `${sit} behind ${bridgeName(b)}; Passthru could not read ${b.address}'s ACS capability: ${unreadable(b)}. Without ACS enabled there, a bridge does not keep the devices below it apart.`;
  }
  if (acs.portType === 'conventional') {
    return `${sit} behind the conventional PCI bridge ${b.address} (${b.className ?? 'bridge'}), which cannot isolate what is behind it: devices on conventional PCI can reach each other, and ACS does not exist there.`;
  }
  if (acs.portType === 'pcie-to-pci-bridge' || acs.portType === 'pci-to-pcie-bridge') {
    return `${sit} behind ${b.address} (${b.className ?? 'bridge'}), a bridge to conventional PCI, which cannot isolate what is behind it: devices on a conventional PCI bus can reach each other and the IOMMU sees them as the bridge (a PCIe-to-PCI bridge has no ACS, per its config space).`;
  }
  if (acs.present && acs.missing.length > 0) {
    return `${sit} behind ${bridgeName(b)}, whose ACS is not enabled (${list(acs.missing.map((c) => CONTROL_WORDS[c]))} off, per its config space), so it does not keep the devices below it apart.`;
  }
  return `${sit} behind ${bridgeName(b)}, which has no ACS capability (per its config space), so it does not keep the devices below it apart.`;
}

/** The sentence for functions of one device in the group, or null when their config space says ACS keeps them apart. */
function slotSentence(slot: string, fns: GroupMember[]): string | null {
  const names = list(fns.map((f) => f.address));
  const unknown = fns.find((f) => !f.acs || f.acs.isolates === null);
  if (unknown) {
    return `${names} are functions of one device (slot ${slot}); Passthru could not read whether ACS separates them: ${unreadable(unknown)}.`;
  }
  // Functions that are not of one multifunction device (VFs of a PF share slots), or that isolate each other, are not joined here.
  const joined = fns.filter((f) => f.acs?.multifunction && f.acs.isolates === false);
  if (joined.length < 2) return null;
  const first = joined[0] as GroupMember;
  const jnames = list(joined.map((f) => f.address));
  if (first.acs?.portType === 'conventional') {
    return `${jnames} are functions of one conventional PCI device (slot ${slot}), which cannot isolate its functions from each other (ACS does not exist on conventional PCI).`;
  }
  const off = first.acs?.present ? first.acs.missing : [];
  return off.length > 0
    ? `${jnames} are functions of one device (slot ${slot}) without ACS between its functions: it is not enabled (${list(off.map((c) => CONTROL_WORDS[c]))} off, per its config space).`
    : `${jnames} are functions of one device (slot ${slot}) without ACS between its functions (no ACS capability, per its config space).`;
}

/**
 * What keeps several endpoints in one group, read from config space (PciDevice.acs): functions
 * of one multifunction device without ACS between them, and for each endpoint the first
 * bridge above it that does not isolate it — a conventional PCI bridge (never can), a port
 * without ACS or with ACS not enabled — as the kernel's group building (pci_device_group)
 * walks up. When ACS could not be read (not root), the sentence says so instead of asserting.
 * The kernel's device quirks are not in config space: the sentences say "per its config space".
 */
function whatJoins(endpoints: GroupMember[], byAddress: MemberLookup): { joinedBy: string[]; options: string[] } {
  const joinedBy: string[] = [];
  const slots = new Map<string, GroupMember[]>();
  for (const d of endpoints) slots.set(slotOf(d.address), [...(slots.get(slotOf(d.address)) ?? []), d]);
  for (const [slot, fns] of slots) {
    const sentence = fns.length > 1 ? slotSentence(slot, fns) : null;
    if (sentence) joinedBy.push(sentence);
  }
  const behind = new Map<PciAddress, PciAddress[]>();
  for (const d of endpoints) {
    const culprit = firstNonIsolating(d, byAddress);
    if (culprit) behind.set(culprit.address, [...(behind.get(culprit.address) ?? []), d.address]);
  }
  for (const [bridge, under] of behind) joinedBy.push(behindSentence(under, byAddress.get(bridge) as GroupMember));
  if (joinedBy.length === 0) {
    joinedBy.push(
      `Per their config space, the ports above ${list(endpoints.map((d) => d.address))} have ACS enabled and no device without ACS joins them: what groups them is not in config space (a kernel quirk for one of these devices, or a DMA alias).`,
    );
  }
  return { joinedBy, options: SHARED_OPTIONS };
}

/**
 * The first bridge above `d` that does not isolate what is below it (or whose ACS is
 * unknown), walking up as pci_acs_path_enabled() does; null when every one isolates.
 */
function firstNonIsolating(d: GroupMember, byAddress: MemberLookup): GroupMember | null {
  const seen = new Set<PciAddress>();
  for (let at = d.parent ?? null; at !== null && !seen.has(at);) {
    seen.add(at);
    const b = byAddress.get(at);
    if (b === undefined) return null;
    if (b.acs?.isolates !== true) return b;
    at = b.parent ?? null;
  }
  return null;
}

/** What a user can do about a shared group, most to least advisable. */
const SHARED_OPTIONS = [
  'Give the whole group to one VM: assign every device in it to vfio-pci.',
  "Move the card to another slot: slots wired to the CPU's own root ports usually have a group of their own.",
  'Look for an ACS setting in the firmware (BIOS/UEFI); some boards can turn it on for their ports.',
  "The ACS override kernel patch (pcie_acs_override=) splits the group by pretending an isolation the hardware lacks: the devices can still reach each other, so a VM could reach the host's — use it only on a machine where that risk is acceptable.",
];
