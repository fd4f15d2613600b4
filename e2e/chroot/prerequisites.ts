/**
 * Finds what the chroot harness needs on this machine — root, debootstrap, chroot, unshare,
 * mount, tar, zstd — and fails with one sentence saying what to install or how to run when
 * something is missing. The harness installs nothing itself. Nothing here skips: a missing
 * prerequisite is a failure, so CI can never pass without having run the chroot tests.
 */
import { execFileSync } from 'node:child_process';
import { SYSTEM_PATH, which } from '../support/which';

export class ChrootPrerequisiteError extends Error {
  override name = 'ChrootPrerequisiteError';
}

export interface ChrootHostTools {
  debootstrap: string;
  chroot: string;
  unshare: string;
  mount: string;
  tar: string;
  zstd: string;
  sh: string;
  rm: string;
}

export const INSTALL_HINT = 'run .ci/install-system-packages (or see e2e/chroot/README.md)';

export { SYSTEM_PATH, which };

/**
 * Filesystems on which grub-probe cannot find a device for `/` inside the chroot, so
 * update-grub fails ("cannot find a device for /", "failed to get canonical path of overlay").
 */
const NO_DEVICE_FS = new Set(['tmpfs', 'ramfs', 'overlay', 'aufs', 'fuse', 'fuseblk', '9p', 'nfs', 'nfs4', 'cifs', 'squashfs']);

/** Throws unless `dir` is on a block-device filesystem that grub-probe can resolve. */
export function checkWorkDirFilesystem(dir: string): void {
  let fstype: string;
  try {
    fstype = execFileSync(which('findmnt') ?? 'findmnt', ['-n', '-o', 'FSTYPE', '--target', dir], { encoding: 'utf8' }).trim();
  } catch {
    return; // findmnt missing or unhappy: let update-grub say what is wrong
  }
  if (NO_DEVICE_FS.has(fstype) || fstype.startsWith('fuse')) {
    throw new ChrootPrerequisiteError(
      `${dir} is on ${fstype}, where grub-probe inside the chroot finds no device for / and update-grub fails: ` +
        'set CHROOT_WORK_DIR to a directory on a disk filesystem (ext4, xfs, btrfs).',
    );
  }
}

let cached: ChrootHostTools | null = null;

/** Checks every prerequisite once per process; throws ChrootPrerequisiteError with the remedy. */
export function findChrootHostTools(): ChrootHostTools {
  if (cached) return cached;
  if (process.getuid?.() !== 0) {
    throw new ChrootPrerequisiteError('The chroot tests need root (debootstrap, chroot and the mounts update-grub needs): run them as root, e.g. `sudo npm run test:chroot`.');
  }
  const need = (tool: string, pkg: string): string => {
    const found = which(tool);
    if (!found) throw new ChrootPrerequisiteError(`${tool} not found: install the Debian package ${pkg} (${INSTALL_HINT}).`);
    return found;
  };
  cached = {
    debootstrap: need('debootstrap', 'debootstrap'),
    chroot: need('chroot', 'coreutils'),
    unshare: need('unshare', 'util-linux'),
    mount: need('mount', 'mount'),
    tar: need('tar', 'tar'),
    zstd: need('zstd', 'zstd'),
    sh: need('sh', 'dash'),
    rm: need('rm', 'coreutils'),
  };
  return cached;
}
