/**
 * Explains an IOMMU group's VFIO viability in plain words: which member blocks it and why,
 * and which members make passing it through dangerous for the host (the management NIC,
 * a storage controller, the boot display).
 */
import type { IommuGroup, NetInterface, PciDevice } from '../../../shared/model';
import { classCategory, deviceTitle } from './format';
import { interfacesOf, type ScanIndex } from './scan-index';

/** The rule a group must satisfy, worded once for every view. */
export const VIABILITY_RULE =
  'every device in the group must be on vfio-pci, pci-stub, have no driver, or be a bridge';

export interface BlockerExplanation {
  address: string;
  driver: string;
  deviceName: string | null;
  /** "0000:00:1f.2 is bound to ahci; every device in the group must be …" */
  sentence: string;
}

export interface GroupExplanation {
  id: number;
  viable: boolean;
  /** One-line verdict, e.g. "Not viable: 2 devices are bound to host drivers." */
  verdict: string;
  blockers: BlockerExplanation[];
  /** Why handing this group to a VM would hurt the host, if it would. */
  hazards: string[];
  members: PciDevice[];
}

export function blockerSentence(address: string, driver: string): string {
  return `${address} is bound to ${driver}; ${VIABILITY_RULE}.`;
}

export function explainGroup(group: IommuGroup, index: ScanIndex): GroupExplanation {
  const members = group.devices
    .map((a) => index.deviceByAddress.get(a))
    .filter((d): d is PciDevice => d !== undefined);
  const blockers = group.blockers.map((b) => {
    const d = index.deviceByAddress.get(b.address);
    return {
      address: b.address,
      driver: b.driver,
      deviceName: d ? deviceTitle(d) : null,
      sentence: blockerSentence(b.address, b.driver),
    };
  });
  const n = group.devices.length;
  let verdict: string;
  if (group.viable) {
    verdict =
      n === 1
        ? 'Viable: its only device can be handed to a VM.'
        : `Viable: all ${n} devices are on vfio-pci, pci-stub, driver-less or bridges.`;
  } else if (blockers.length === 0) {
    verdict = 'Not viable.';
  } else {
    verdict = `Not viable: ${blockers.length === 1 ? '1 device is' : `${blockers.length} devices are`} bound to host drivers.`;
  }
  return { id: group.id, viable: group.viable, verdict, blockers, hazards: groupHazards(members, index), members };
}

export function groupHazards(members: readonly PciDevice[], index: ScanIndex): string[] {
  const hazards: string[] = [];
  for (const d of members) {
    for (const i of interfacesOf(index, d)) {
      if (i.management) {
        hazards.push(
          `${d.address} is the management NIC (${i.name} carries the host's default route): passing this group through would cut the host off the network.`,
        );
      } else if (i.inUse) {
        hazards.push(
          `${d.address} has ${i.name}, which the host is using (${inUseReason(i)}): passing this group through would disrupt it.`,
        );
      }
    }
    if (classCategory(d.classId) === 'storage' && d.driver !== null && d.driver !== 'vfio-pci') {
      hazards.push(
        `${d.address} is a storage controller on ${d.driver}: if it holds the boot disk, passing this group through would crash the host.`,
      );
    }
    if (d.bootVga) {
      hazards.push(`${d.address} is the boot display: the host console would go dark.`);
    }
  }
  return hazards;
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
