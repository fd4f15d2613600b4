import * as path from 'node:path';
import type { HostFs } from './host-fs';

const posix = path.posix;

/** Guards against symlink loops while replaying a resolution. */
const MAX_LINK_HOPS = 40;

/** Marker keeping an otherwise empty directory alive in a git checkout of a snapshot. */
export const KEEP_FILE = '.passthru-keep';

/** Where writeTo puts the tree: exec/confined-fs.ts ConfinedFs (each call creates missing parent directories). */
export interface TreeSink {
  mkdir(inside: string): void;
  symlink(target: string, inside: string): void;
  /** A new file; never replaces one. */
  createFile(inside: string, content: string | Uint8Array): void;
  /** Entry names, or null when missing. */
  list(inside: string): string[] | null;
}

type Node =
  | { kind: 'file'; content: string | Uint8Array | null } // null: exists, content never read; bytes: read with readBytes
  | { kind: 'dir' }
  | { kind: 'link'; target: string };

/**
 * Records every successful read made through it, so that `writeTo()` can materialise a
 * directory tree that answers the same reads identically when opened with `new RootFs(dir)`.
 * This is how `passthru snapshot` captures exactly what the probes look at — no more, no less.
 *
 * Everything is stored under canonical paths: each symlink met on the way to a path is kept
 * as a symlink with its raw target (so relative kernel links stay relative), and file contents
 * live where the links lead. Directory listings create a placeholder for every entry (links as
 * links, directories empty, files empty) so `list()` answers the same. Negative answers need no
 * record: absent paths stay absent. `accessibleRw` is not recorded (a snapshot cannot know).
 * Known limit: a listed-but-never-read file becomes an empty file, so a read that failed on the
 * host (EIO) inside a directory that was also listed reads back as '' rather than null.
 */
export class RecordingFs implements HostFs {
  readonly root: string;
  private readonly nodes = new Map<string, Node>();
  /** Canonical resolution of paths already walked (memo for the per-component walk). */
  private readonly resolved = new Map<string, string | null>();
  /** Canonical paths known not to be symlinks (saves a readlink per component per walk). */
  private readonly plain = new Set<string>();
  /** Directories whose listing was recorded (their entries are part of the answer). */
  private readonly listed = new Set<string>();

  constructor(private readonly inner: HostFs) {
    this.root = inner.root;
  }

  readText(p: string): string | null {
    const content = this.inner.readText(p);
    if (content === null) return null;
    const real = this.walk(p);
    if (real !== null) this.nodes.set(real, { kind: 'file', content });
    return content;
  }

  readBytes(p: string): Uint8Array | null {
    const content = this.inner.readBytes(p);
    if (content === null) return null;
    const real = this.walk(p);
    if (real !== null) this.nodes.set(real, { kind: 'file', content });
    return content;
  }

  readLink(p: string): string | null {
    const target = this.inner.readLink(p);
    if (target === null) return null;
    const dir = this.walk(posix.dirname(normalise(p)));
    if (dir !== null) this.nodes.set(posix.join(dir, posix.basename(p)), { kind: 'link', target });
    return target;
  }

  realPath(p: string): string | null {
    const real = this.inner.realPath(p);
    if (real === null) return null;
    this.walk(p);
    this.markExisting(real);
    return real;
  }

  list(p: string): string[] {
    const names = this.inner.list(p);
    const real = this.walk(p);
    if (real === null || !this.inner.isDirectory(p)) return names;
    this.setDir(real);
    this.listed.add(real);
    for (const name of names) {
      const child = posix.join(real, name);
      if (this.nodes.has(child)) continue;
      const target = this.inner.readLink(child);
      if (target !== null) this.nodes.set(child, { kind: 'link', target });
      else this.nodes.set(child, this.inner.isDirectory(child) ? { kind: 'dir' } : { kind: 'file', content: null });
    }
    return names;
  }

  exists(p: string): boolean {
    const yes = this.inner.exists(p);
    if (yes) {
      const real = this.walk(p);
      if (real !== null) this.markExisting(real);
    }
    return yes;
  }

  isDirectory(p: string): boolean {
    const yes = this.inner.isDirectory(p);
    if (yes) {
      const real = this.walk(p);
      if (real !== null) this.setDir(real);
    }
    return yes;
  }

  accessibleRw(p: string): boolean | null {
    return this.inner.accessibleRw(p);
  }

  /** Paths of the files whose contents were captured, for manifests and reports. */
  recordedFiles(): string[] {
    return [...this.nodes]
      .filter(([, n]) => n.kind === 'file' && n.content !== null)
      .map(([p]) => p)
      .sort();
  }

  /**
   * Materialises the recording into `dest` (a ConfinedFs over the snapshot directory, so no
   * write follows a link out of it). `transform` may shrink a file's content; it receives the
   * canonical path the file is written at (e.g. the target of `/usr/share/hwdata/pci.ids` when
   * that is a link). Files read as bytes are written as read, untransformed.
   */
  writeTo(dest: TreeSink, transform?: (path: string, content: string) => string): void {
    const entries = [...this.nodes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [p, node] of entries) {
      if (p === '/') continue;
      if (node.kind === 'dir') dest.mkdir(p);
      else if (node.kind === 'link') dest.symlink(node.target, p);
      else dest.createFile(p, node.content === null ? '' : transform && typeof node.content === 'string' ? transform(p, node.content) : node.content);
    }
    // git drops empty directories, and snapshots become test fixtures in git: a directory that
    // was only checked for existence (/sys/module/vfio) keeps a marker file. A listed one
    // cannot (the marker would show in the listing), and needs none: missing lists as [].
    for (const [p, node] of entries) {
      if (node.kind !== 'dir' || p === '/' || this.listed.has(p)) continue;
      if ((dest.list(p) ?? []).length === 0) dest.createFile(`${p}/${KEEP_FILE}`, '');
    }
  }

  /**
   * Resolves `p` one component at a time through the inner fs, recording every symlink met,
   * and returns the canonical path (or null when a link is unreadable or loops).
   */
  private walk(p: string): string | null {
    const start = normalise(p);
    const memo = this.resolved.get(start);
    if (memo !== undefined) return memo;
    const pending = start.split('/').filter((c) => c !== '');
    let cur = '/';
    let hops = 0;
    let result: string | null = null;
    for (;;) {
      const comp = pending.shift();
      if (comp === undefined) {
        result = cur;
        break;
      }
      if (comp === '.') continue;
      if (comp === '..') {
        cur = posix.dirname(cur);
        continue;
      }
      const next = posix.join(cur, comp);
      const known = this.nodes.get(next);
      const target = known?.kind === 'link' ? known.target : this.plain.has(next) ? null : this.inner.readLink(next);
      if (target === null) {
        this.plain.add(next);
        cur = next;
        continue;
      }
      this.nodes.set(next, { kind: 'link', target });
      if (++hops > MAX_LINK_HOPS) break;
      if (target.startsWith('/')) cur = '/';
      pending.unshift(...target.split('/').filter((c) => c !== ''));
    }
    this.resolved.set(start, result);
    return result;
  }

  private markExisting(real: string): void {
    if (this.nodes.has(real)) return;
    if (this.inner.isDirectory(real)) this.setDir(real);
    else this.nodes.set(real, { kind: 'file', content: null });
  }

  private setDir(real: string): void {
    const node = this.nodes.get(real);
    if (node === undefined || (node.kind === 'file' && node.content === null)) this.nodes.set(real, { kind: 'dir' });
  }
}

function normalise(p: string): string {
  const n = posix.normalize(p.startsWith('/') ? p : `/${p}`);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}
