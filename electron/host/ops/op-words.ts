/**
 * What one op does, in plain words, made from the op itself. History, undo and rollback show
 * these rather than any stored text, so what a journal entry says it will do and what it does
 * cannot differ (a record could otherwise carry harmless words over a harmful op).
 */
import { KERNEL_CHOOSES, type OpCall, type VfChange } from '../../../shared/plan';

function vfWords(s: VfChange): string {
  const parts = [
    ...(s.mac !== undefined ? [s.mac === '00:00:00:00:00:00' ? 'clear the MAC' : `MAC ${s.mac}`] : []),
    ...(s.vlan !== undefined ? [s.vlan === 0 ? 'no VLAN' : `VLAN ${s.vlan}${s.qos !== undefined ? ` (priority ${s.qos})` : ''}`] : []),
    ...(s.spoofCheck !== undefined ? [`spoof check ${s.spoofCheck ? 'on' : 'off'}`] : []),
    ...(s.trust !== undefined ? [`trust ${s.trust ? 'on' : 'off'}`] : []),
    ...(s.linkState !== undefined ? [`link state ${s.linkState}`] : []),
  ];
  return parts.join(', ');
}

export function describeOp(op: OpCall): string {
  switch (op.verb) {
    case 'set-driver-override':
      return op.driver === null
        ? `Clear the driver override of ${op.address}, so the kernel picks its usual driver again`
        : `Tell the kernel that ${op.address} should only be driven by ${op.driver}`;
    case 'unbind':
      return `Detach ${op.address} from its driver ${op.driver}`;
    case 'probe':
      return op.expectDriver === null
        ? `Ask the kernel to probe ${op.address} (no driver expected)`
        : op.expectDriver === KERNEL_CHOOSES
          ? `Ask the kernel to bind ${op.address} to its usual driver`
          : `Ask the kernel to bind ${op.address} to ${op.expectDriver}`;
    case 'load-module':
      return `Load the ${op.module} kernel module`;
    case 'set-vfio-owner':
      return op.uid === 0 ? `Give /dev/vfio/${op.group} back to root` : `Give /dev/vfio/${op.group} to user ${op.uid} (group ${op.gid}) so qemu need not run as root`;
    case 'write-persistence':
      return `Keep ${op.address} on vfio-pci after a reboot (udev rule for this address only)`;
    case 'remove-persistence':
      return `Stop keeping ${op.address} on vfio-pci at boot (remove Passthru's files)`;
    case 'set-sriov-numvfs':
      return op.count === 0 ? `Remove the VFs of ${op.address}` : `Create ${op.count} VFs on ${op.address}`;
    case 'set-sriov-autoprobe':
      return op.enabled
        ? `Let new VFs of ${op.address} get their host driver (sriov_drivers_autoprobe on)`
        : `Keep new VFs of ${op.address} without a host driver, for VMs (sriov_drivers_autoprobe off)`;
    case 'set-vf':
      return `Set VF ${op.vf} of ${op.address}: ${vfWords(op.settings)}`;
    case 'write-sriov-persistence':
      return `Recreate ${op.numVfs} VFs on ${op.address} at every boot (udev rule for this address only)`;
    case 'remove-sriov-persistence':
      return `Stop recreating VFs on ${op.address} at boot (remove Passthru's rule)`;
    case 'apply-boot-config': {
      const i = op.intent;
      if (i.action === 'enable') {
        const extras = [...(i.pt ? ['iommu=pt'] : []), ...(i.earlyVfio ? ['the VFIO modules in the initramfs'] : [])];
        return `Turn the IOMMU on in the boot configuration${extras.length ? ` (with ${extras.join(' and ')})` : ''}`;
      }
      const what = i.only ? i.only.join(' ') : 'every IOMMU argument Passthru adds';
      const back = i.restore?.length ? `, put ${i.restore.join(' ')} back` : '';
      return `Remove ${what} from the boot configuration${back}${i.earlyVfio ? ', and the VFIO modules from the initramfs' : ''}`;
    }
    case 'create-tap':
      return `Create the tap device ${op.tap} on bridge ${op.bridge}, owned by user ${op.uid}`;
    case 'remove-tap':
      return `Remove the tap device ${op.tap}`;
  }
}
