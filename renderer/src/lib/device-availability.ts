/**
 * Whether "Assign to VFIO…" / "Give back…" can do anything for a device, and if not, why —
 * worked out before the user opens a wizard, the same everywhere the action appears (detail
 * panel, the Devices table's A key, the topology). An action the host could only refuse is
 * shown disabled with its reason; one it refuses unless the user insists (the management NIC,
 * a PF with VFs) stays available, and the wizard asks for the confirmation.
 */
import type { PciDevice } from '#shared/model';
import { interfacesOf, type ScanIndex } from './scan-index';

export interface Availability {
  action: 'assign' | 'release';
  /** Null when the action is available; otherwise why not, one sentence. */
  refusedBecause: string | null;
}

/** What the host needs of this device or a member of its group that can never be forced away. */
function hardNeed(device: PciDevice, index: ScanIndex): string | null {
  const group = device.iommuGroup === null ? null : index.groupById.get(device.iommuGroup);
  const members = (group?.devices ?? [device.address]).map((a) => index.deviceByAddress.get(a)).filter((d): d is PciDevice => d !== undefined);
  for (const m of members) {
    const need = m.hostNeeds.find((n) => n.kind === 'mounted-disk' || (n.kind === 'display' && m.address === device.address));
    if (need) return m.address === device.address ? `This host needs it: ${need.detail}.` : `Its IOMMU group holds ${m.address}, which this host needs: ${need.detail}.`;
  }
  return null;
}

export function deviceAvailability(device: PciDevice, index: ScanIndex): Availability {
  if (device.driver === 'vfio-pci') {
    const group = device.iommuGroup === null ? null : index.groupById.get(device.iommuGroup);
    const users = group?.openBy ?? [];
    return {
      action: 'release',
      refusedBecause: users.length ? `A VM uses it: ${users.map((u) => `${u.command} (pid ${u.pid})`).join(', ')} holds /dev/vfio/${group?.id}. Stop the VM first.` : null,
    };
  }
  const refuse = (why: string): Availability => ({ action: 'assign', refusedBecause: why });
  if (device.isBridge) return refuse('Bridges and ports stay with the host; a device behind it can be assigned instead.');
  if (device.iommuGroup === null) return refuse('The IOMMU is off, so no device can be isolated for a VM. Turn it on first (Overview).');
  const need = hardNeed(device, index);
  if (need) return refuse(need);
  return { action: 'assign', refusedBecause: null };
}

/** Whether the device carries (or is a PF whose VFs carry) the management network: assign asks for confirmation. */
export function carriesManagement(device: PciDevice, index: ScanIndex): boolean {
  if (device.hostNeeds.some((n) => n.kind === 'management-nic') || interfacesOf(index, device).some((i) => i.management)) return true;
  return (index.vfsByPf.get(device.address) ?? []).some((vf) => vf.hostNeeds.some((n) => n.kind === 'management-nic'));
}
