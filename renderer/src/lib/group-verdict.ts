/**
 * An IOMMU group explained for the views: its passthrough verdict (computed once on the host
 * side, shared/group-passthrough.ts) with its reasons, the members, and — as a fact beside it,
 * never instead of it — whether the kernel's VFIO would take the group right now ("viable").
 */
import type { GroupPassthrough, IommuGroup, NetInterface, PciDevice } from '#shared/model';
import { deviceTitle } from './format';
import { PASSTHROUGH_LABEL } from './passthrough-words';
import type { ScanIndex } from './scan-index';

export interface BlockerExplanation {
  address: string;
  driver: string;
  deviceName: string | null;
  /** "0000:01:00.0 is on igb: VFIO takes the group only once it is on vfio-pci (or has no driver)." */
  sentence: string;
}

export interface GroupExplanation {
  id: number;
  passthrough: GroupPassthrough;
  /** One line: the verdict's word and its first reason. */
  verdict: string;
  /** The kernel's sense: every member driver-less, on vfio-pci or pci-stub, or a bridge. */
  viable: boolean;
  /** Members on host drivers: what an assign moves (the kernel's reasons it is not viable yet). */
  blockers: BlockerExplanation[];
  /** What of the host depends on the group, when that is what blocks it. */
  hazards: string[];
  members: PciDevice[];
}

export function explainGroup(group: IommuGroup, index: ScanIndex): GroupExplanation {
  const members = group.devices.map((a) => index.deviceByAddress.get(a)).filter((d): d is PciDevice => d !== undefined);
  const blockers = group.blockers.map((b) => {
    const d = index.deviceByAddress.get(b.address);
    return {
      address: b.address,
      driver: b.driver,
      deviceName: d ? deviceTitle(d) : null,
      sentence: `${b.address} is on ${b.driver}: VFIO takes the group only once it is on vfio-pci (or has no driver).`,
    };
  });
  const p = group.passthrough;
  return {
    id: group.id,
    passthrough: p,
    verdict: `${PASSTHROUGH_LABEL[p.state]}: ${p.reasons[0] ?? ''}`.trim(),
    viable: group.viable,
    blockers,
    hazards: p.state === 'blocked' ? p.reasons : [],
    members,
  };
}

/** Why the host counts an interface as in use, in a few words. */
export function inUseReason(i: NetInterface): string {
  if (i.master) return `port of ${i.master}`;
  if (i.addresses.some((a) => a.scope !== 'link')) return 'it has an address';
  return 'a route uses it';
}

/** A device's group and its explanation, or null when it has none. */
export function groupOfDevice(device: PciDevice, index: ScanIndex): GroupExplanation | null {
  if (device.iommuGroup === null) return null;
  const g = index.groupById.get(device.iommuGroup);
  return g ? explainGroup(g, index) : null;
}
