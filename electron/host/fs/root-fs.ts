import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import type { HostFs } from './host-fs';

const posix = path.posix;
const { O_RDONLY, O_NOFOLLOW, R_OK, W_OK } = nodeFs.constants;

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
 * per-component walks — a scan touches tens of thousands of sysfs files.
 *
 * Other roots: nothing outside the root is ever read. Directories are resolved one component
 * at a time, each step cached (one lstat per new directory), with symlinked directories
 * canonicalised and checked to stay inside the root; a final component is opened with
 * O_NOFOLLOW and only resolved (and checked) when it turns out to be a symlink. Absolute link
 * targets are interpreted relative to the root, as a chroot would.
 */
export class RootFs implements HostFs {
  readonly root: string;
  private readonly live: boolean;
  /** Inside-root directory path → canonical host path; positive results only. */
  private readonly dirCache = new Map<string, string>();

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
    const inside = normalise(p);
    if (inside === null) return null;
    // sysfs hands out a whole attribute in one read(); elsewhere read to EOF.
    const oneShot = inside.startsWith('/sys/');
    if (this.live) return tryRead(() => readWhole(inside, O_RDONLY, oneShot));
    return this.attempt(inside, (host) => {
      try {
        return readWhole(host, O_RDONLY | O_NOFOLLOW, oneShot);
      } catch (err) {
        if (!isSymlinkRefusal(err)) throw err;
        const real = this.resolveInside(inside);
        if (real === null) throw err;
        return readWhole(this.toHost(real), O_RDONLY | O_NOFOLLOW, oneShot);
      }
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
    return this.resolveInside(inside);
  }

  list(p: string): string[] {
    const inside = normalise(p);
    if (inside === null) return [];
    const names = this.live
      ? tryRead(() => nodeFs.readdirSync(inside))
      : (() => {
          const dir = this.resolveDir(inside);
          return dir === null ? null : tryRead(() => nodeFs.readdirSync(dir));
        })();
    return names === null ? [] : names.sort(compareNames);
  }

  exists(p: string): boolean {
    const inside = normalise(p);
    if (inside === null) return false;
    if (this.live) return nodeFs.existsSync(inside);
    // The directory through the cache, then one lstat: only a symlink needs resolving (and
    // checking), so a missing file costs no walk of the whole path.
    if (inside === '/') return true;
    const dir = this.resolveDir(posix.dirname(inside));
    if (dir === null) return false;
    const st = tryRead(() => nodeFs.lstatSync(joinHost(dir, posix.basename(inside)), { throwIfNoEntry: false }));
    if (st === null || st === undefined) return false;
    return !st.isSymbolicLink() || this.resolveInside(inside) !== null;
  }

  isDirectory(p: string): boolean {
    const inside = normalise(p);
    if (inside === null) return false;
    if (this.live) return tryRead(() => nodeFs.statSync(inside).isDirectory()) ?? false;
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
   * through the cache. A cached directory may have vanished since (a device was removed): on
   * ENOENT the entry is dropped and the operation tried once more.
   */
  private attempt<T>(inside: string, op: (host: string) => T): T | null {
    const dir = posix.dirname(inside);
    for (let tries = 0; tries < 2; tries++) {
      const dirHost = this.resolveDir(dir);
      if (dirHost === null) return null;
      try {
        return op(joinHost(dirHost, posix.basename(inside)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !this.dirCache.delete(dir)) return null;
      }
    }
    return null;
  }

  /** Canonical host path of a directory inside the root, or null when missing, not a directory or escaping. */
  private resolveDir(inside: string): string | null {
    if (inside === '/') return this.root;
    const cached = this.dirCache.get(inside);
    if (cached !== undefined) return cached;
    const parent = this.resolveDir(posix.dirname(inside));
    if (parent === null) return null;
    let host = joinHost(parent, posix.basename(inside));
    let st: nodeFs.Stats;
    try {
      st = nodeFs.lstatSync(host);
      if (st.isSymbolicLink()) {
        const real = this.resolveInside(inside);
        if (real === null) return null;
        host = this.toHost(real);
        st = nodeFs.statSync(host);
      }
    } catch {
      return null;
    }
    if (!st.isDirectory()) return null;
    this.dirCache.set(inside, host);
    return host;
  }

  /** Canonical inside-root path, or null when missing or (for relative links) escaping. */
  private resolveInside(inside: string): string | null {
    try {
      const rel = this.fromHost(nodeFs.realpathSync.native(this.toHost(inside)));
      if (rel !== null) return rel;
    } catch {
      // Missing, dangling, or an absolute link that only resolves chroot-style: walk it.
    }
    return this.resolveChroot(inside);
  }

  /** Component-by-component resolution treating absolute link targets as root-relative. */
  private resolveChroot(inside: string): string | null {
    const pending = inside.split('/').filter((c) => c !== '');
    let cur = '/';
    let hops = 0;
    while (pending.length > 0) {
      const comp = pending.shift() as string;
      if (comp === '.') continue;
      if (comp === '..') {
        cur = posix.dirname(cur);
        continue;
      }
      const next = posix.join(cur, comp);
      const host = this.toHost(next);
      let target: string | null;
      try {
        target = nodeFs.lstatSync(host).isSymbolicLink() ? nodeFs.readlinkSync(host) : null;
      } catch {
        return null;
      }
      if (target === null) {
        cur = next;
        continue;
      }
      if (++hops > MAX_LINK_HOPS) return null;
      if (target.startsWith('/')) cur = '/';
      pending.unshift(...target.split('/').filter((c) => c !== ''));
    }
    return cur;
  }

  private toHost(inside: string): string {
    return inside === '/' ? this.root : this.root + inside;
  }

  private fromHost(host: string): string | null {
    if (host === this.root) return '/';
    if (host.startsWith(this.root + '/')) return host.slice(this.root.length);
    return null;
  }
}

/** Reads a file to the end with plain open/read/close (no fstat, no per-call buffer). */
function readWhole(host: string, flags: number, oneShot: boolean): string {
  const fd = nodeFs.openSync(host, flags);
  try {
    let n = nodeFs.readSync(fd, buffer, 0, CHUNK, null);
    if (n === 0 || (oneShot && n < CHUNK)) return buffer.toString('utf8', 0, n);
    const chunks: Buffer[] = [Buffer.from(buffer.subarray(0, n))];
    while ((n = nodeFs.readSync(fd, buffer, 0, CHUNK, null)) > 0) chunks.push(Buffer.from(buffer.subarray(0, n)));
    return Buffer.concat(chunks).toString('utf8');
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

/** open(O_NOFOLLOW) on a symlink fails with ELOOP (Linux) — the cue to resolve and check it. */
function isSymlinkRefusal(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ELOOP' || code === 'EMLINK';
}

/** Absolute, lexically normalised path (`/..` clamps at the root), or null when relative. */
function normalise(p: string): string | null {
  if (!p.startsWith('/')) return null;
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

function joinHost(dir: string, base: string): string {
  return dir.endsWith('/') ? dir + base : `${dir}/${base}`;
}

/** Byte-order sort, the same on every machine and locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
