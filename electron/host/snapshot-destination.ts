/**
 * Where `passthru snapshot DEST` writes. Often run as root, into a path a user named, so DEST
 * is only ever a directory Passthru creates itself, or an empty one the caller owns (nobody
 * else can then swap its contents for links); it is opened without following a link at its
 * last component, pinned by identity, and written through ConfinedFs (root = DEST), so no
 * write leaves it. /proc, /sys and /dev (and anything resolving into them, or on such a
 * filesystem) are refused: the kernel answers there, not a disk.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { PassthruError } from '#shared/errors';
import { ConfinedFs } from './exec/confined-fs';

const KERNEL_DIRS = ['/proc', '/sys', '/dev'];
/** statfs magics of filesystems the kernel makes up (linux/magic.h), wherever they are mounted. */
const KERNEL_FS_TYPES = new Set([
  0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x1cd1 /* devpts */, 0x63677270 /* cgroup2 */, 0x64626720 /* debugfs */, 0x74726163 /* tracefs */, 0x73636673 /* securityfs */,
  0x62656570 /* configfs */, 0xcafe4a11 /* bpf */,
]);
const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = nodeFs.constants;

export interface Destination {
  /** Canonical host path of DEST. */
  dir: string;
  files: ConfinedFs;
  /** Removes what the capture wrote: everything in DEST, and DEST with the parents Passthru made. */
  cleanUp(): void;
}

function bad(message: string, remedy = 'Choose a new directory name (Passthru creates it), or an empty directory of your own.'): PassthruError {
  return new PassthruError('BAD_INPUT', message, remedy);
}

/** The nearest of `p` and its parents that exists (as an entry: a dangling link counts). */
function existingAncestor(p: string): string {
  let cur = p;
  while (nodeFs.lstatSync(cur, { throwIfNoEntry: false }) === undefined) cur = path.dirname(cur);
  return cur;
}

function euid(): number {
  return process.geteuid?.() ?? 0;
}

/** Throws BAD_INPUT unless `dest` may receive a snapshot; creates nothing. */
export function checkDestination(dest: string): void {
  // A link at DEST would let whoever owns its directory choose where a root-run snapshot goes.
  if (nodeFs.lstatSync(dest, { throwIfNoEntry: false })?.isSymbolicLink()) {
    throw bad(`${dest} is a link; Passthru writes a snapshot only into a directory given by its own path.`, 'Give the directory itself, or a new name (Passthru creates it).');
  }
  const anchor = existingAncestor(dest);
  let real: string;
  try {
    real = nodeFs.realpathSync.native(anchor);
  } catch {
    throw bad(`${anchor} is a link that leads nowhere, so ${dest} cannot be created.`);
  }
  const kernelDir = KERNEL_DIRS.find((d) => real === d || real.startsWith(`${d}/`));
  const fsType = nodeFs.statfsSync(real).type;
  if (kernelDir !== undefined || KERNEL_FS_TYPES.has(fsType)) {
    throw bad(
      `${dest} is on ${kernelDir ?? 'a filesystem the kernel makes up'}, where the kernel answers and nothing is stored: a snapshot needs an ordinary directory.`,
      'Choose a directory on disk, e.g. ./snapshot.',
    );
  }
  const st = nodeFs.statSync(real);
  if (!st.isDirectory()) {
    throw bad(anchor === dest ? `${dest} exists and is not a directory.` : `${anchor} is not a directory, so ${dest} cannot be created in it.`);
  }
  if (anchor !== dest) return;
  if (st.uid !== euid()) throw bad(`${dest} belongs to user ${st.uid}, and a snapshot is written only into a directory of your own.`);
  if (nodeFs.readdirSync(real).length > 0) throw bad(`${dest} is not empty, and a snapshot never overwrites files.`, 'Choose a new or empty directory for the snapshot.');
}

/**
 * Checks `dest` again, creates what is missing (one component at a time, each opened with
 * O_NOFOLLOW relative to its parent), and pins it for writing.
 */
export function openDestination(dest: string): Destination {
  checkDestination(dest);
  const anchor = existingAncestor(dest);
  let at = nodeFs.realpathSync.native(anchor);
  let fd = nodeFs.openSync(at, O_RDONLY | O_DIRECTORY);
  const made: string[] = [];
  try {
    for (const name of path.relative(anchor, dest).split('/').filter(Boolean)) {
      try {
        nodeFs.mkdirSync(`/proc/self/fd/${fd}/${name}`, 0o755);
        made.push(path.join(at, name));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let next: number;
      try {
        next = nodeFs.openSync(`/proc/self/fd/${fd}/${name}`, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
        throw bad(`${path.join(at, name)} was replaced by something that is not a directory while Passthru was creating it.`);
      }
      nodeFs.closeSync(fd);
      fd = next;
      at = path.join(at, name);
    }
    // Made here or not, it must be ours and empty now: whatever raced in is refused.
    const st = nodeFs.fstatSync(fd);
    if (st.uid !== euid()) throw bad(`${dest} belongs to user ${st.uid}, and a snapshot is written only into a directory of your own.`);
    if (nodeFs.readdirSync(`/proc/self/fd/${fd}`).length > 0)
      throw bad(`${dest} is not empty, and a snapshot never overwrites files.`, 'Choose a new or empty directory for the snapshot.');
    const files = new ConfinedFs(at, { pin: { dev: st.dev, ino: st.ino } });
    return {
      dir: at,
      files,
      cleanUp() {
        try {
          files.clear('/');
          for (const d of made.reverse()) nodeFs.rmdirSync(d);
        } catch {
          // Best effort: the original error is what the user needs to see.
        }
      },
    };
  } finally {
    nodeFs.closeSync(fd);
  }
}
