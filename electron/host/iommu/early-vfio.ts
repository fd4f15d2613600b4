/**
 * Loading the VFIO modules early: put in the initramfs (so vfio-pci is there before the
 * device's own driver) through the initramfs system in use, or — when none is known — loaded
 * by systemd at boot through modules-load.d. Drop-ins of Passthru's own where the system reads
 * them; otherwise a marked, exactly reversible edit of the shared file.
 */
import type { BootSetup } from './detect';
import * as P from './paths';

/** vfio_virqfd was folded into vfio in Linux 6.2; asking for it there fails the initramfs build. */
export function vfioModules(needsVfioVirqfd: boolean | null): string[] {
  return ['vfio', 'vfio_iommu_type1', 'vfio_pci', ...(needsVfioVirqfd ? ['vfio_virqfd'] : [])];
}

/** One file's wanted content (after: null deletes it) and the command that rebuilds the initramfs. */
export interface EarlyVfioChange {
  path: string;
  after: string | null;
  rebuild: string[] | null;
  system: string;
}

const MARK_BEGIN = '# BEGIN Passthru: VFIO modules in the initramfs (passthru iommu disable removes this block)';
const MARK_END = '# END Passthru';

/** The initramfs rebuild command of each system, for every installed kernel. */
const REBUILD: Record<string, string[]> = {
  'initramfs-tools': ['update-initramfs', '-u', '-k', 'all'],
  dracut: ['dracut', '--force', '--regenerate-all'],
  mkinitcpio: ['mkinitcpio', '-P'],
};

/** What enabling (or, with `enable` false, removing) early VFIO changes. */
export function planEarlyVfio(setup: BootSetup, enable: boolean): EarlyVfioChange {
  const modules = vfioModules(setup.kernel.value.needsVfioVirqfd);
  const file = (path: string): string | null => setup.files[path] ?? null;
  const header = '# Written by Passthru (Enable IOMMU): load the VFIO modules early. `passthru iommu disable` removes this file.\n';
  switch (setup.initramfs.value) {
    case 'initramfs-tools': {
      const path = P.INITRAMFS_TOOLS_MODULES;
      const before = file(path);
      return {
        path,
        system: 'initramfs-tools',
        rebuild: REBUILD['initramfs-tools'] as string[],
        after: enable ? addMarkedBlock(before ?? '', modules.join('\n')) : removeMarkedBlock(before),
      };
    }
    case 'dracut':
      return { path: P.DRACUT_DROPIN, system: 'dracut', rebuild: REBUILD.dracut as string[], after: enable ? `${header}force_drivers+=" ${modules.join(' ')} "\n` : null };
    case 'mkinitcpio': {
      if (setup.mkinitcpioDropIns) {
        return { path: P.MKINITCPIO_DROPIN, system: 'mkinitcpio', rebuild: REBUILD.mkinitcpio as string[], after: enable ? `${header}MODULES+=(${modules.join(' ')})\n` : null };
      }
      const path = P.MKINITCPIO_CONF;
      const before = file(path);
      return {
        path,
        system: 'mkinitcpio',
        rebuild: REBUILD.mkinitcpio as string[],
        after: enable ? addMarkedBlock(before ?? '', `MODULES+=(${modules.join(' ')})`) : removeMarkedBlock(before),
      };
    }
    case null:
      return { path: P.MODULES_LOAD_EARLY_VFIO, system: 'modules-load.d', rebuild: null, after: enable ? `${header}${modules.join('\n')}\n` : null };
  }
}

/**
 * Appends `body` between markers, once. A file not ending in a newline gets one first, and
 * the begin marker says so, so that removing the block gives back the exact original bytes.
 */
export function addMarkedBlock(text: string, body: string): string {
  if (text.includes(MARK_BEGIN)) return text;
  const joined = text !== '' && !text.endsWith('\n');
  return `${text}${joined ? '\n' : ''}${MARK_BEGIN}${joined ? ' (newline added)' : ''}\n${body}\n${MARK_END}\n`;
}

/** The exact inverse of addMarkedBlock; text without the block comes back unchanged. */
export function removeMarkedBlock(text: string | null): string | null {
  if (text === null) return null;
  const start = text.indexOf(MARK_BEGIN);
  const end = text.indexOf(`${MARK_END}\n`, start);
  if (start === -1 || end === -1) return text;
  const joined = text.slice(start, text.indexOf('\n', start)).endsWith('(newline added)');
  return text.slice(0, joined ? start - 1 : start) + text.slice(end + MARK_END.length + 1);
}
