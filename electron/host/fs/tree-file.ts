/**
 * What a file in a host tree or snapshot may be, shared by the read side (root-fs.ts) and the
 * confined writer (exec/confined-fs.ts): only regular files are read, and only up to a cap. A
 * FIFO would block the reader for ever, a device node would be opened (with whatever its
 * driver does on open), and a huge or sparse file would be read into memory whole.
 */
import type { Stats } from 'node:fs';
import { PassthruError } from '#shared/errors';

/**
 * The most Passthru reads of one file: far above anything the probes read (pci.ids ≈ 1.3 MB,
 * modules.alias ≈ 1.5 MB, a sysfs attribute one page).
 */
export const MAX_READ_BYTES = 16 * 1024 * 1024;

/** The kind of a non-regular, non-directory, non-link file, in plain words. */
export function specialKind(st: Pick<Stats, 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>): string | null {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return null;
}

/** A special file where a tree should hold a regular file: refused, never opened. */
export function specialFileError(hostPath: string, kind: string): PassthruError {
  return new PassthruError(
    'BAD_INPUT',
    `${hostPath} is ${kind}, which Passthru does not open in a host tree or snapshot (they hold only files, directories and links).`,
    'Remove it from the tree, or capture the host again with `passthru snapshot DIR`.',
  );
}

export function tooLargeError(hostPath: string): PassthruError {
  return new PassthruError(
    'BAD_INPUT',
    `${hostPath} is larger than ${MAX_READ_BYTES / (1024 * 1024)} MiB, far more than any file Passthru reads, so it was not read.`,
    'Remove or replace the file in the tree, or capture the host again with `passthru snapshot DIR`.',
  );
}
