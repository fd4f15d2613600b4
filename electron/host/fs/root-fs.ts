import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { PassthruError } from '#shared/errors';
import type { HostFs } from './host-fs';
import { MAX_READ_BYTES, specialFileError, specialKind, tooLargeError } from './tree-file';

const posix = path.posix;
const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK, R_OK, W_OK } = nodeFs.constants;
/**
 * O_NONBLOCK costs nothing on a regular file and keeps a FIFO (or a device) from blocking the
 * open and the reads: a scan never hangs on one, live or not.
 */
const READ_FLAGS = O_RDONLY | O_NONBLOCK;

/** Guards against symlink loops in the chroot-style resolver. */
const MAX_LINK_HOPS = 40;
const CHUNK = 64 * 1024;
/** One shared read buffer: reads are synchronous, so it is never used by two at once. */
const buffer = Buffer.allocUnsafe(CHUNK);

/**
 * The one real-filesystem {@link HostFs}: the live host when `root` is `/`, or a captured
 * snapshot / test tree otherwise.
 *
 * Live (`/`): every call is the bare syscalls (open/read/close, readlink, readdir), no
 * per-component walks and no caches — a scan touches tens of thousands of sysfs files, and a
 * live instance may outlive the state it read (the change watcher keeps one).
 *
 * Other roots: nothing outside the root is ever read, and paths resolve as they would inside a
 * chroot (absolute link targets start at the root, `..` stops there). Directories are resolved
 * one component at a time and remembered by their canonical path (one lstat per new directory;
 * a symlinked one costs one readlink more, its target being resolved from the already canonical
 * directory holding the link, so no component is walked twice). A final component is opened
 * with O_NOFOLLOW and only resolved when it turns out to be a symlink. A scan opens a new
 * RootFs, so the caches live as long as one scan. A tree is not trusted to hold only ordinary
 * files: a final component is lstat'ed before it is opened, and a FIFO, socket or device node
 * is refused (BAD_INPUT naming it) without being opened (tree-file.ts).
 *
 * Every root: no file is read beyond MAX_READ_BYTES (a sparse file of terabytes is refused,
 * not read), and opens are non-blocking.
 */
export class RootFs implements HostFs {
  readonly root: string;
  private readonly live: boolean;
  /** Inside-root directory path (as asked, or canonical) → its canonical inside path; positive results only. */
  private readonly dirs = new Map<string, string>();
  /** Symlinks being followed at the moment: bounds link chains and loops, as the kernel's ELOOP does. */
  private following = 0;

  constructor(root: string) {
    const resolved = path.resolve(root);
    let real: string;
    try {
      real = nodeFs.realpathSync.native(resolved);
    } catch {
      real = resolved;
    }
    this.root = real;
    this.live = real === '/';
  }

  readText(p: string): string | null {
    return this.readRaw(p, (b, n) => b.toString('utf8', 0, n));
  }

  readBytes(p: string): Uint8Array | null {
    return this.readRaw(p, (b, n) => new Uint8Array(b.subarray(0, n)));
  }

  private readRaw<T>(p: string, as: (bytes: Buffer, length: number) => T): T | null {
    const inside = normalise(p);
    if (inside === null) return null;
    // sysfs hands out a whole text attribute in one read(); elsewhere (and for binary
    // attributes such as `config`, which a short first read does not end) read to EOF.
    const oneShot = inside.startsWith('/sys/') && !inside.endsWith('/config');
    if (this.live) return tryRead(() => readWhole(inside, READ_FLAGS, oneShot, as));
    return this.attempt(inside, (host) => {
      let target = host;
      let st = nodeFs.lstatSync(target);
      if (st.isSymbolicLink()) {
        const real = this.resolvePath(inside);
        if (real === null) return null;
        target = this.toHost(real);
        st = nodeFs.lstatSync(target);
      }
      if (st.isDirectory()) return null;
      const kind = specialKind(st);
      if (kind !== null) throw specialFileError(target, kind);
      return readWhole(target, READ_FLAGS | O_NOFOLLOW, oneShot, as);
    });
  }

  readLink(p: string): string | null {
    const inside = normalise(p);
    if (inside === null || inside === '/') return null;
    if (this.live) return tryRead(() => nodeFs.readlinkSync(inside));
    return this.attempt(inside, (host) => nodeFs.readlinkSync(host));
  }

  realPath(p: string): string | null {
    const inside = normalise(p);
    if (inside === null) return null;
    if (this.live) return tryRead(() => nodeFs.realpathSync.native(inside));
    return this.resolvePath(inside);
  }

  list(p: string): string[] {
    const inside = normalise(p);
    if (inside === null) return [];
    if (this.live) return (tryRead(() => nodeFs.readdirSync(inside)) ?? []).sort(compareNames);
    const dir = this.resolveDir(inside);
    if (dir === null) return [];
    const entries = tryRead(() => nodeFs.readdirSync(this.toHost(dir), { withFileTypes: true })) ?? [];
    const names: string[] = [];
    for (const entry of entries) {
      names.push(entry.name);
      // The listing already says which entries are real directories (d_type): remember them,
      // so reading inside one (every IOMMU group's `type`) costs no lstat.
      if (entry.isDirectory()) {
        const child = joinInside(dir, entry.name);
        this.dirs.set(child, child);
        if (dir !== inside) this.dirs.set(joinInside(inside, entry.name), child);
      }
    }
    return names.sort(compareNames);
  }

  exists(p: string): boolean {
    const inside = normalise(p);
    if (inside === null) return false;
    if (this.live) return nodeFs.existsSync(inside);
    return this.resolvePath(inside) !== null;
  }

  isDirectory(p: string): boolean {
    const inside = normalise(p);
    if (inside === null) return false;
    if (this.live) return tryRead(() => nodeFs.statSync(inside, { throwIfNoEntry: false })?.isDirectory()) ?? false;
    return this.resolveDir(inside) !== null;
  }

  accessibleRw(p: string): boolean | null {
    // Permissions inside a snapshot or test tree say nothing about the host it came from.
    if (!this.live) return null;
    const inside = normalise(p);
    if (inside === null) return false;
    return tryRead(() => (nodeFs.accessSync(inside, R_OK | W_OK), true)) ?? false;
  }

  /**
   * Runs `op` on the host path of the (non-live) inside path, whose directory part is resolved
   * through the cache. A missing file is the usual ENOENT (optional attributes); but a cached
   * directory may itself have vanished since (a device was removed): then it is forgotten and
   * the operation tried once more on a fresh resolution.
   */
  private attempt<T>(inside: string, op: (host: string) => T): T | null {
    const dir = posix.dirname(inside);
    const base = posix.basename(inside);
    for (let tries = 0; tries < 2; tries++) {
      const canonical = this.resolveDir(dir);
      if (canonical === null) return null;
      try {
        return op(this.toHost(joinInside(canonical, base)));
      } catch (err) {
        // A refusal (a FIFO, a huge file) is the answer, not a missing file.
        if (err instanceof PassthruError) throw err;
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || canonical === '/' || this.isHostDir(canonical)) return null;
        this.dirs.delete(dir);
        this.dirs.delete(canonical);
      }
    }
    return null;
  }

  private isHostDir(inside: string): boolean {
    return tryRead(() => nodeFs.lstatSync(this.toHost(inside), { throwIfNoEntry: false })?.isDirectory()) === true;
  }

  /** Canonical inside path of a directory, or null when missing, not a directory, looping or escaping. */
  private resolveDir(inside: string): string | null {
    if (inside === '/') return '/';
    const cached = this.dirs.get(inside);
    if (cached !== undefined) return cached;
    const parent = this.resolveDir(posix.dirname(inside));
    if (parent === null) return null;
    const entry = this.resolveEntry(parent, posix.basename(inside));
    if (entry === null || !entry.dir) return null;
    this.dirs.set(inside, entry.path);
    return entry.path;
  }

  /** Canonical inside path of anything, or null when missing, looping or escaping. */
  private resolvePath(inside: string): string | null {
    if (inside === '/') return '/';
    const parent = this.resolveDir(posix.dirname(inside));
    return parent === null ? null : (this.resolveEntry(parent, posix.basename(inside))?.path ?? null);
  }

  /** Entry `name` of the canonical directory `dir`: itself, or where its symlink leads. */
  private resolveEntry(dir: string, name: string): { path: string; dir: boolean } | null {
    const candidate = joinInside(dir, name);
    const known = this.dirs.get(candidate);
    if (known !== undefined) return { path: known, dir: true };
    const host = this.toHost(candidate);
    const st = tryRead(() => nodeFs.lstatSync(host, { throwIfNoEntry: false }));
    if (st === null || st === undefined) return null;
    if (!st.isSymbolicLink()) {
      if (st.isDirectory()) this.dirs.set(candidate, candidate);
      return { path: candidate, dir: st.isDirectory() };
    }
    const target = tryRead(() => nodeFs.readlinkSync(host));
    const resolved = target === null ? null : this.follow(dir, target);
    // A symlinked directory (`/sys/class/net/eth0`, `…/eth0/device`) is read through again and again.
    if (resolved?.dir) this.dirs.set(candidate, resolved.path);
    return resolved;
  }

  /**
   * Resolves a link target found in the canonical directory `dir`, chroot-style: an absolute
   * target starts at the root and `..` never leaves it. Since `dir` is canonical, `..` is its
   * lexical parent, and each further component is resolved (and cached) once.
   */
  private follow(dir: string, target: string): { path: string; dir: boolean } | null {
    if (this.following >= MAX_LINK_HOPS) return null;
    this.following++;
    try {
      let cur = target.startsWith('/') ? '/' : dir;
      const parts = target.split('/').filter((c) => c !== '' && c !== '.');
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i] as string;
        if (part === '..') {
          cur = posix.dirname(cur);
        } else if (i === parts.length - 1) {
          return this.resolveEntry(cur, part);
        } else {
          const next = this.resolveDir(joinInside(cur, part));
          if (next === null) return null;
          cur = next;
        }
      }
      return { path: cur, dir: true };
    } finally {
      this.following--;
    }
  }

  private toHost(inside: string): string {
    return inside === '/' ? this.root : this.root + inside;
  }
}

/**
 * Reads a file to the end with plain open/read/close (no fstat, no per-call buffer), refusing
 * to go past MAX_READ_BYTES.
 */
function readWhole<T>(host: string, flags: number, oneShot: boolean, as: (bytes: Buffer, length: number) => T): T {
  const fd = nodeFs.openSync(host, flags);
  try {
    let n = nodeFs.readSync(fd, buffer, 0, CHUNK, null);
    if (n === 0 || (oneShot && n < CHUNK)) return as(buffer, n);
    const chunks: Buffer[] = [Buffer.from(buffer.subarray(0, n))];
    let total = n;
    while ((n = nodeFs.readSync(fd, buffer, 0, CHUNK, null)) > 0) {
      total += n;
      if (total > MAX_READ_BYTES) throw tooLargeError(host);
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    const whole = Buffer.concat(chunks);
    return as(whole, whole.length);
  } finally {
    nodeFs.closeSync(fd);
  }
}

function tryRead<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** Absolute, lexically normalised path (`/..` clamps at the root), or null when relative. */
function normalise(p: string): string | null {
  if (!p.startsWith('/')) return null;
  // The probes' paths are already normal (no `//`, `/./`, `/../`, trailing `/`): skip the rebuild.
  if (!p.includes('//') && !p.includes('/.') && (p.length === 1 || !p.endsWith('/'))) return p;
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

function joinInside(dir: string, base: string): string {
  return dir === '/' ? `/${base}` : `${dir}/${base}`;
}

/** Byte-order sort, the same on every machine and locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
