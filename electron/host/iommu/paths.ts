/**
 * Every path the IOMMU wizard reads or writes, in one place: detection reads them into the
 * BootSetup, planning decides over them, and the files Passthru owns are easy to find (and
 * to remove by hand) because they all carry "passthru" in their names.
 */

export const GRUB_DEFAULTS = '/etc/default/grub';
export const GRUB_DROPIN_DIR = '/etc/default/grub.d';
/** Ours. Sorts after the distribution's drop-ins (Ubuntu cloud images ship 50-cloudimg-settings.cfg). */
export const GRUB_DROPIN = `${GRUB_DROPIN_DIR}/90-passthru-iommu.cfg`;

export const KERNEL_CMDLINE = '/etc/kernel/cmdline';
export const PROXMOX_BOOT_UUIDS = '/etc/kernel/proxmox-boot-uuids';
export const KERNELSTUB_CONFIG = '/etc/kernelstub/configuration';
/** BLS entries GRUB reads on Fedora/RHEL (grubby edits them). */
export const BLS_ENTRIES = '/boot/loader/entries';
/** Where an EFI system partition is mounted, most usual first. */
export const ESP_MOUNTS = ['/boot/efi', '/efi', '/boot'];

export const INITRAMFS_TOOLS_MODULES = '/etc/initramfs-tools/modules';
export const DRACUT_DROPIN = '/etc/dracut.conf.d/90-passthru-vfio.conf';
export const MKINITCPIO_CONF = '/etc/mkinitcpio.conf';
/** mkinitcpio ≥ 36 reads drop-ins from here after mkinitcpio.conf. */
export const MKINITCPIO_DROPIN_DIR = '/etc/mkinitcpio.conf.d';
export const MKINITCPIO_DROPIN = `${MKINITCPIO_DROPIN_DIR}/90-passthru-vfio.conf`;
/**
 * Fallback when no initramfs system is known: systemd loads these at boot (after the
 * initramfs). Not `passthru-vfio.conf`: that one belongs to the assign wizard's persistence.
 */
export const MODULES_LOAD_EARLY_VFIO = '/etc/modules-load.d/passthru-early-vfio.conf';

/**
 * Copies of files Passthru edits in place, kept out of every directory a boot tool reads
 * (a stray copy in /etc/default/grub.d would be sourced), mirrored by path.
 */
export const BACKUP_DIR = '/var/lib/passthru/iommu-backup';

export function backupPathFor(path: string): string {
  return `${BACKUP_DIR}${path}`;
}
