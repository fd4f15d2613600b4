/**
 * The resolution behind ConfinedFs (confined-fs.ts): one path at a time, component by
 * component, each directory opened relative to its already open parent through
 * `/proc/self/fd/<fd>/<name>` with O_NOFOLLOW, links read and resolved here (never by the
 * kernel), chroot-style: an absolute target starts again at the root, `..` never goes above it,
 * and a link that needs it to is refused.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { PassthruError } from '#shared/errors';

const posix = path.posix;
const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = nodeFs.constants;
/**
 * O_PATH (Linux ≥ 2.6.39) is not in node's fs.constants; 010000000 is its value on every
 * architecture Passthru ships for (x86-64, arm64; asm-generic/fcntl.h).
 */
export const O_PATH = 0o10000000;
/** As the kernel's ELOOP limit: a longer chain of links is a loop. */
const MAX_LINK_HOPS = 40;
export const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

/** A directory, open, with its canonical path inside the root. */
export interface Dir {
  fd: number;
  path: string;
}

/** The final component of a path: its directory, its name, and the entry if there is one. */
export interface Located {
  dir: Dir;
  name: string;
  /** Canonical inside path of the entry. */
  path: string;
  /** O_PATH fd of the entry (never a link when links are followed) and its fstat; null when absent. */
  node: { fd: number; st: nodeFs.Stats } | null;
}

/** A path component still to resolve; `via` when it comes from a link's target. */
interface Part {
  name: string;
  via?: { link: string; target: string };
}

/**
 * A component on the way is missing (reads answer null, writes create it or fail); `path` is
 * where the entry would be, `refusal` why a write could not create it (a link into nothing,
 * a file where a directory should be), or null when it simply would be created.
 */
export class Missing extends Error {
  /** As the errno error it stands for, for callers that map errno codes (write-sysfs.ts). */
  readonly code = 'ENOENT';
  constructor(
    readonly path: string,
    readonly refusal: string | null = null,
  ) {
    super(`${path} does not exist`);
  }
}

/** What the walker needs from its ConfinedFs: where it is, and how to say no. */
export interface WalkOwner {
  readonly root: string;
  show(inside: string): string;
  refuse(why: string): PassthruError;
}

export const magic = (fd: number, name?: string): string => (name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`);

export function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** Absolute inside path → its components; `..` in a requested path is a caller's bug. */
export function partsOf(inside: string): Part[] {
  if (!inside.startsWith('/') || inside.includes('\0') || inside.split('/').includes('..')) {
    throw new PassthruError('BAD_INPUT', `Refusing to use ${JSON.stringify(inside)}: not a plain absolute path.`, null);
  }
  return inside
    .split('/')
    .filter((c) => c !== '' && c !== '.')
    .map((name) => ({ name }));
}

/** One resolution at a time: the directories it opened stay open (pinned) until the operation ends. */
export class Walker {
  private stack: Dir[];

  constructor(
    private readonly fs: WalkOwner,
    private readonly rootFd: number,
    private readonly opened: number[],
    private readonly onDirOpen?: (inside: string) => void,
  ) {
    this.stack = [{ fd: rootFd, path: '/' }];
  }

  /** A fresh walker over the same root (rename resolves its second path from the root again). */
  second(): Walker {
    return new Walker(this.fs, this.rootFd, this.opened, this.onDirOpen);
  }

  /** Resolves every component as a directory; missing ones are created with `create` when given. */
  dir(inside: string, create?: number): Dir {
    this.walk(partsOf(inside), null, create);
    return this.top();
  }

  /**
   * Resolves the directory of the final component and the final component itself. `follow`:
   * a link there is resolved (open, chown) or is the entry (unlink, symlink). `create`: mode
   * for directories missing on the way.
   */
  locate(inside: string, follow: boolean, create?: number): Located {
    const parts = partsOf(inside);
    if (parts.length === 0) return this.self();
    const found: { at: Located | null } = { at: null };
    this.walk(parts, { follow, found }, create);
    return found.at ?? this.self();
  }

  private top(): Dir {
    return this.stack[this.stack.length - 1] as Dir;
  }

  /** The current directory as an entry of its own (a link target ending in `..` or `/`). */
  private self(): Located {
    const dir = this.top();
    const fd = this.open(magic(dir.fd), O_PATH);
    return { dir, name: '.', path: dir.path, node: { fd, st: nodeFs.fstatSync(fd) } };
  }

  private open(p: string, flags: number): number {
    const fd = nodeFs.openSync(p, flags);
    this.opened.push(fd);
    return fd;
  }

  /**
   * The resolution loop. `final` null: every component is a directory. Otherwise the last
   * component is looked at with O_PATH|O_NOFOLLOW and, when it is a link to follow, its
   * target's components take its place.
   */
  private walk(queue: Part[], final: { follow: boolean; found: { at: Located | null } } | null, create?: number): void {
    let hops = 0;
    const link = (dir: Dir, name: string): void => {
      const at = posix.join(dir.path, name);
      if (++hops > MAX_LINK_HOPS) throw this.fs.refuse(`${this.fs.show(at)} is part of a loop of links`);
      const target = nodeFs.readlinkSync(magic(dir.fd, name));
      if (target.startsWith('/')) this.stack = this.stack.slice(0, 1);
      const via = { link: at, target };
      queue.unshift(
        ...target
          .split('/')
          .filter((c) => c !== '' && c !== '.')
          .map((p) => ({ name: p, via })),
      );
    };
    while (queue.length > 0) {
      const part = queue.shift() as Part;
      const dir = this.top();
      if (part.name === '..') {
        if (this.stack.length > 1) this.stack.pop();
        // `..` at the root stays there (chroot); a link that needs it to go higher means a place outside.
        else if (part.via) throw this.fs.refuse(`${this.fs.show(part.via.link)} is a link to ${part.via.target}, which leads out of ${this.fs.root}`);
        continue;
      }
      const here = posix.join(dir.path, part.name);
      if (final !== null && queue.length === 0) {
        let fd: number;
        try {
          fd = this.open(magic(dir.fd, part.name), O_PATH | O_NOFOLLOW);
        } catch (err) {
          if (errno(err) !== 'ENOENT') throw err;
          final.found.at = { dir, name: part.name, path: here, node: null };
          return;
        }
        const st = nodeFs.fstatSync(fd);
        if (st.isSymbolicLink() && final.follow) {
          link(dir, part.name);
          continue;
        }
        final.found.at = { dir, name: part.name, path: here, node: { fd, st } };
        return;
      }
      try {
        const fd = this.open(magic(dir.fd, part.name), DIR_FLAGS);
        this.stack.push({ fd, path: here });
        this.onDirOpen?.(here);
        continue;
      } catch (err) {
        const code = errno(err);
        if (code === 'ENOENT') {
          const dangling = part.via ? `${this.fs.show(part.via.link)} is a link to ${part.via.target}, which does not exist inside ${this.fs.root}` : null;
          if (create === undefined) throw new Missing(posix.join(here, ...queue.map((p) => p.name)), dangling);
          if (dangling !== null) throw this.fs.refuse(dangling);
          try {
            nodeFs.mkdirSync(magic(dir.fd, part.name), create);
          } catch (e) {
            if (errno(e) !== 'EEXIST') throw e;
          }
          queue.unshift(part); // open it now (whatever is there by then is resolved like anything else)
          continue;
        }
        // O_DIRECTORY|O_NOFOLLOW answers ENOTDIR for a link as for a file: lstat tells them apart.
        if (code !== 'ENOTDIR') throw err;
      }
      const st = nodeFs.lstatSync(magic(dir.fd, part.name));
      if (st.isSymbolicLink()) {
        link(dir, part.name);
        continue;
      }
      const notDir = `${this.fs.show(here)} is not a directory`;
      if (create === undefined) throw new Missing(posix.join(here, ...queue.map((p) => p.name)), notDir);
      throw this.fs.refuse(notDir);
    }
  }
}
