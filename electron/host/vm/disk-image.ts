/**
 * A new, empty qcow2 disk for a VM (the New-VM wizard's "create a new disk"), made with
 * qemu-img as the desktop user. Never overwrites: an existing file is refused, since it may be
 * someone's only copy of a guest.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { PassthruError } from '#shared/errors';
import { CommandError, type CommandRunner } from '../exec/run-command';

export const MAX_DISK_GIB = 64 * 1024;

export async function createDiskImage(run: CommandRunner, path: string, sizeGiB: number): Promise<void> {
  if (!path.startsWith('/') || /[\0\n\r]/.test(path))
    throw new PassthruError('BAD_INPUT', `${JSON.stringify(path)} is not an absolute path.`, 'Give the full path of the new disk image.');
  if (!Number.isInteger(sizeGiB) || sizeGiB < 1 || sizeGiB > MAX_DISK_GIB)
    throw new PassthruError('BAD_INPUT', `A disk of ${sizeGiB} GiB is not possible here.`, `Give a whole number of GiB from 1 to ${MAX_DISK_GIB}.`);
  if (existsSync(path))
    throw new PassthruError('REFUSED', `${path} exists already; Passthru does not overwrite disk images.`, 'Choose another file name, or use the existing image.');
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new PassthruError('BAD_INPUT', `The folder ${dir} does not exist.`, 'Create the folder first, or choose another place.');
  try {
    // The file name is its own argv entry: commas or spaces in it reach qemu-img intact.
    await run(['qemu-img', 'create', '-q', '-f', 'qcow2', path, `${sizeGiB}G`], { timeoutMs: 60_000 });
  } catch (err) {
    if (err instanceof CommandError && err.failure === 'not-found')
      throw new PassthruError('ENVIRONMENT', 'qemu-img is not installed.', 'Install it (Debian/Ubuntu: sudo apt install qemu-utils).');
    const why = err instanceof CommandError ? err.stderr.trim() || err.message : String(err);
    throw new PassthruError('FAILED', `qemu-img could not create ${path}: ${why}`, 'Check that you may write to that folder and that it has room.');
  }
}
