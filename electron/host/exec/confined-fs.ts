/**
 * The one way Passthru changes files under a root (the live `/`, a `--root` tree, a snapshot
 * being written): every open, create, mkdir, rename, chown, chmod, unlink and symlink goes
 * through a {@link ConfinedFs}. Paths resolve as they do for the reads (fs/root-fs.ts) and inside
 * `chroot ROOT`: one component at a time, an absolute link target starting again at the root,
 * `..` never above it. A link whose target climbs above the root with `..` is refused (a tree
 * that means a place outside itself is broken or hostile; saying so beats clamping). Nothing a
 * tree's owner swaps in while we work can lead out:
 *
 * - Each directory is opened (O_DIRECTORY|O_NOFOLLOW) relative to the already open parent, by
 *   `/proc/self/fd/<parent fd>/<name>`: the magic link pins the parent, only `name` is looked
 *   up, and a link at `name` is never followed by the kernel — we read its target and resolve
 *   it ourselves. Node has no openat(2); this is the same lookup.
 * - The final component is opened O_PATH|O_NOFOLLOW: the kernel hands us that very inode
 *   without opening it (no FIFO blocks, no device driver's open runs); it is checked with
 *   fstat and then used through `/proc/self/fd/<fd>` (reopened for reading or writing, or
 *   chowned), so what was checked is what is used.
 * - New files are created O_EXCL|O_NOFOLLOW next to their target and renamed over it inside
 *   the pinned directory; unlink and rename act on the entry, never through it.
 * - The root itself is pinned by identity (device, inode) when the ConfinedFs is made, and
 *   every operation checks that the directory it opens is still that one.
 * - In-place writes and chown refuse a regular file with more than one link (a hard link from
 *   the tree to a file elsewhere on the same filesystem).
 *
 * Refusals are PassthruError BAD_INPUT naming the path; plain I/O failures (EACCES, ENOSPC,
 * ENOENT of an attribute to write) are thrown as the errno errors they are.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { PassthruError } from '#shared/errors';
import { MAX_READ_BYTES, specialFileError, specialKind, tooLargeError } from '../fs/tree-file';
import { DIR_FLAGS, errno, magic, Missing, Walker, type Located } from './confined-walk';

const { O_RDONLY, O_WRONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_CREAT, O_EXCL } = nodeFs.constants;

export interface ConfinedFsOptions {
  /** The identity the root must have (the snapshot writer pins the directory it created). */
  pin?: { dev: number; ino: number };
  /**
   * Test seam: called with the canonical inside path of each directory once it is open, so a
   * test can swap a component for a link at exactly that moment.
   */
  onDirOpen?: (inside: string) => void;
}

export interface WriteOptions {
  /** The file's mode (default 0644). */
  mode?: number;
  /** Mode of directories created on the way (default 0755). */
  dirMode?: number;
  /** Owner the file has before it takes the target's name (default: whoever writes it). */
  owner?: { uid: number; gid: number };
}

let procChecked = false;
function requireProc(): void {
  if (procChecked) return;
  if (!nodeFs.existsSync('/proc/self/fd')) {
    throw new PassthruError(
      'ENVIRONMENT',
      'Passthru needs /proc mounted to change files safely, and /proc/self/fd is missing.',
      'Mount procfs on /proc (mount -t proc proc /proc) and try again.',
    );
  }
  procChecked = true;
}

function closeQuietly(fd: number): void {
  try {
    nodeFs.closeSync(fd);
  } catch {
    // Closing an fd we opened cannot meaningfully fail; nothing to report.
  }
}

export class ConfinedFs {
  /** Canonical host path of the root, as it was when this was made. */
  readonly root: string;
  private readonly id: { dev: number; ino: number };

  constructor(
    root: string,
    private readonly options: ConfinedFsOptions = {},
  ) {
    requireProc();
    let real: string;
    try {
      real = nodeFs.realpathSync.native(path.resolve(root));
    } catch {
      throw new PassthruError('BAD_INPUT', `The root ${root} does not exist.`, 'Give an existing directory.');
    }
    const st = nodeFs.statSync(real);
    if (!st.isDirectory()) throw new PassthruError('BAD_INPUT', `The root ${real} is not a directory.`, 'Give an existing directory.');
    if (options.pin && (options.pin.dev !== st.dev || options.pin.ino !== st.ino)) throw this.replaced(real);
    this.root = real;
    this.id = { dev: st.dev, ino: st.ino };
  }

  /**
   * Host path for an inside path (for messages and the test kernel): root + canonical path, or,
   * where the rest does not exist (so it holds no link), where the entry would be.
   */
  hostPath(inside: string): string {
    let canonical: string;
    try {
      canonical = this.run((w) => w.locate(inside, true).path);
    } catch (err) {
      if (!(err instanceof Missing)) throw err;
      canonical = err.path;
    }
    return this.show(canonical);
  }

  /**
   * Throws the refusal a file write at `inside` would meet (a link leading out or into
   * nothing, a loop, a file where a directory should be, a directory where the file should
   * be), changing nothing: for the ops' validation, before any step runs.
   */
  checkWritable(inside: string): void {
    try {
      this.run((w) => {
        const at = w.locate(inside, true);
        if (at.node?.st.isDirectory()) throw this.refuse(`${this.show(at.path)} is a directory`);
      });
    } catch (err) {
      if (!(err instanceof Missing)) throw err;
      if (err.refusal !== null) throw this.refuse(err.refusal);
    }
  }

  /** Stats of the entry (links followed), or null when it does not exist. */
  stat(inside: string): nodeFs.Stats | null {
    return this.optional(() => this.run((w) => w.locate(inside, true).node?.st ?? null));
  }

  exists(inside: string): boolean {
    return this.stat(inside) !== null;
  }

  /** A regular file's bytes, or null when missing. A special file or one over MAX_READ_BYTES is refused. */
  readFile(inside: string): Buffer | null {
    return this.optional(() =>
      this.run((w) => {
        const at = w.locate(inside, true);
        if (at.node === null) return null;
        this.requireRegular(at, 'read');
        const fd = nodeFs.openSync(magic(at.node.fd), O_RDONLY | O_NONBLOCK);
        try {
          return readCapped(fd, this.show(at.path));
        } finally {
          nodeFs.closeSync(fd);
        }
      }),
    );
  }

  readText(inside: string): string | null {
    return this.readFile(inside)?.toString('utf8') ?? null;
  }

  /** Entry names of a directory (sorted), or null when it does not exist. */
  list(inside: string): string[] | null {
    return this.optional(() => this.run((w) => nodeFs.readdirSync(magic(w.dir(inside).fd)).sort()));
  }

  /** `mkdir -p`: every missing directory is created with `mode`; never through a link that leads nowhere. */
  mkdir(inside: string, mode = 0o755): void {
    this.run((w) => w.dir(inside, mode));
  }

  /**
   * Replaces the file atomically: a temp file in the same directory (O_EXCL, the mode set
   * explicitly), fsync, rename over the target, fsync of the directory — never a half-written
   * file. A link at the final component is followed (inside the root), as `echo > path` would.
   */
  writeFile(inside: string, content: string | Uint8Array, options: WriteOptions = {}): void {
    this.run((w) => {
      const at = w.locate(inside, true, options.dirMode ?? 0o755);
      if (at.node?.st.isDirectory()) throw this.refuse(`${this.show(at.path)} is a directory`);
      const tmp = `.${at.name}.passthru-${process.pid}.tmp`;
      const fd = createExclusive(at.dir.fd, tmp, options.mode ?? 0o644);
      try {
        // chown before chmod: a chown may clear set-id bits the mode asks for.
        if (options.owner) nodeFs.fchownSync(fd, options.owner.uid, options.owner.gid);
        nodeFs.fchmodSync(fd, options.mode ?? 0o644);
        nodeFs.writeFileSync(fd, content);
        nodeFs.fsyncSync(fd);
      } catch (err) {
        nodeFs.closeSync(fd);
        unlinkQuietly(at.dir.fd, tmp);
        throw err;
      }
      nodeFs.closeSync(fd);
      try {
        nodeFs.renameSync(magic(at.dir.fd, tmp), magic(at.dir.fd, at.name));
      } catch (err) {
        unlinkQuietly(at.dir.fd, tmp);
        throw err;
      }
      nodeFs.fsyncSync(at.dir.fd);
    });
  }

  /** Creates a new file (O_EXCL: never replaces anything), without fsync — for writing a fresh tree. */
  createFile(inside: string, content: string | Uint8Array, options: WriteOptions = {}): void {
    this.run((w) => {
      const at = w.locate(inside, false, options.dirMode ?? 0o755);
      const fd = nodeFs.openSync(magic(at.dir.fd, at.name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, options.mode ?? 0o644);
      try {
        nodeFs.writeFileSync(fd, content);
      } finally {
        nodeFs.closeSync(fd);
      }
    });
  }

  /** Makes `inside` a symlink to `target` (the raw text), replacing a file or link already there. */
  symlink(target: string, inside: string, dirMode = 0o755): void {
    this.run((w) => {
      const at = w.locate(inside, false, dirMode);
      if (at.node?.st.isDirectory()) throw this.refuse(`${this.show(at.path)} is a directory`);
      if (at.node) nodeFs.unlinkSync(magic(at.dir.fd, at.name));
      nodeFs.symlinkSync(target, magic(at.dir.fd, at.name));
    });
  }

  /** Removes the entry itself (a link, not what it points at); false when there was nothing. */
  unlink(inside: string): boolean {
    return (
      this.optional(() =>
        this.run((w) => {
          const at = w.locate(inside, false);
          if (at.node === null) return false;
          if (at.node.st.isDirectory()) throw this.refuse(`${this.show(at.path)} is a directory`);
          nodeFs.unlinkSync(magic(at.dir.fd, at.name));
          return true;
        }),
      ) ?? false
    );
  }

  /** Renames an entry within the root (both ends resolved confined; the entries themselves are moved). */
  rename(from: string, to: string): void {
    this.run((w) => {
      const a = w.locate(from, false);
      if (a.node === null) throw Object.assign(new Error(`${this.show(a.path)} does not exist`), { code: 'ENOENT' });
      const b = w.second().locate(to, false);
      nodeFs.renameSync(magic(a.dir.fd, a.name), magic(b.dir.fd, b.name));
    });
  }

  /** chown of the entry (links followed), by its pinned inode; a hard-linked regular file is refused. */
  chown(inside: string, uid: number, gid: number): void {
    this.run((w) => {
      const at = w.locate(inside, true);
      if (at.node === null) throw Object.assign(new Error(`${this.show(at.path)} does not exist`), { code: 'ENOENT' });
      this.requireSingleLink(at);
      nodeFs.chownSync(magic(at.node.fd), uid, gid);
    });
  }

  /** chmod of the entry (links followed), by its pinned inode; a hard-linked regular file is refused. */
  chmod(inside: string, mode: number): void {
    this.run((w) => {
      const at = w.locate(inside, true);
      if (at.node === null) throw Object.assign(new Error(`${this.show(at.path)} does not exist`), { code: 'ENOENT' });
      this.requireSingleLink(at);
      nodeFs.chmodSync(magic(at.node.fd), mode);
    });
  }

  /**
   * Opens an existing regular file for writing in place (a sysfs attribute), non-blocking and
   * by its pinned inode; the caller closes the fd. ENOENT when it does not exist.
   */
  openForWrite(inside: string): number {
    return this.run((w) => {
      const at = w.locate(inside, true);
      if (at.node === null) throw Object.assign(new Error(`${this.show(at.path)} does not exist`), { code: 'ENOENT' });
      this.requireRegular(at, 'write');
      this.requireSingleLink(at);
      return nodeFs.openSync(magic(at.node.fd), O_WRONLY | O_NONBLOCK);
    });
  }

  /** Removes everything inside a directory (not the directory): the snapshot writer's clean-up. */
  clear(inside = '/'): void {
    this.run((w) => clearDir(w.dir(inside).fd));
  }

  /** Opens the root, checks it is still the one pinned, runs `fn` with a walker, closes everything. */
  private run<T>(fn: (w: Walker) => T): T {
    const fd = nodeFs.openSync(this.root, O_RDONLY | O_DIRECTORY);
    const st = nodeFs.fstatSync(fd);
    if (st.dev !== this.id.dev || st.ino !== this.id.ino) {
      nodeFs.closeSync(fd);
      throw this.replaced(this.root);
    }
    const opened: number[] = [fd];
    try {
      return fn(new Walker(this, fd, opened, this.options.onDirOpen));
    } finally {
      for (const f of opened) closeQuietly(f);
    }
  }

  /** Runs a read-side operation: a missing component answers null. */
  private optional<T>(fn: () => T): T | null {
    try {
      return fn();
    } catch (err) {
      if (err instanceof Missing || errno(err) === 'ENOENT') return null;
      throw err;
    }
  }

  private requireRegular(at: Located, what: 'read' | 'write'): void {
    const st = at.node!.st;
    if (st.isDirectory()) throw this.refuse(`${this.show(at.path)} is a directory, not a file to ${what}`);
    const kind = specialKind(st);
    if (kind !== null) throw specialFileError(this.show(at.path), kind);
  }

  private requireSingleLink(at: Located): void {
    const st = at.node!.st;
    if (st.isFile() && st.nlink > 1) {
      throw this.refuse(`${this.show(at.path)} is a hard link shared with ${st.nlink - 1} other name(s), possibly outside ${this.root}`);
    }
  }

  /** Host path of a canonical inside path, for messages. */
  show(inside: string): string {
    return this.root === '/' ? inside : `${this.root}${inside === '/' ? '' : inside}`;
  }

  refuse(why: string): PassthruError {
    return new PassthruError('BAD_INPUT', `Refusing to write under ${this.root}: ${why}.`, 'Fix or remove that entry in the tree, then try again.');
  }

  private replaced(root: string): PassthruError {
    return new PassthruError(
      'REFUSED',
      `${root} was replaced while Passthru was working in it; nothing more was written.`,
      'Check who else changes that directory, then try again.',
    );
  }
}

/** O_CREAT|O_EXCL|O_NOFOLLOW: never opens what is already there; a stale temp file of ours is removed once. */
function createExclusive(dirFd: number, name: string, mode: number): number {
  for (let attempt = 0; ; attempt++) {
    try {
      return nodeFs.openSync(magic(dirFd, name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    } catch (err) {
      if (errno(err) !== 'EEXIST' || attempt > 0) throw err;
      nodeFs.unlinkSync(magic(dirFd, name));
    }
  }
}

function unlinkQuietly(dirFd: number, name: string): void {
  try {
    nodeFs.unlinkSync(magic(dirFd, name));
  } catch {
    // Best effort: the temp file's name says whose it is.
  }
}

function readCapped(fd: number, label: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.allocUnsafe(64 * 1024);
  let n: number;
  while ((n = nodeFs.readSync(fd, buf, 0, buf.length, null)) > 0) {
    total += n;
    if (total > MAX_READ_BYTES) throw tooLargeError(label);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

/** Empties a directory through fds: links and files are unlinked, directories emptied and removed. */
function clearDir(dirFd: number): void {
  for (const name of nodeFs.readdirSync(magic(dirFd))) {
    const st = nodeFs.lstatSync(magic(dirFd, name));
    if (st.isDirectory()) {
      const fd = nodeFs.openSync(magic(dirFd, name), DIR_FLAGS);
      try {
        clearDir(fd);
      } finally {
        nodeFs.closeSync(fd);
      }
      nodeFs.rmdirSync(magic(dirFd, name));
    } else {
      nodeFs.unlinkSync(magic(dirFd, name));
    }
  }
}
