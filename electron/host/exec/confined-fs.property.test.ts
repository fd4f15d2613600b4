/**
 * Property tests of the confined writer: random trees with random links (inside, out of the
 * root by absolute path or `../..`, loops, dangling, `..`) and random write requests. Whatever
 * happens, nothing outside the root changes; and whatever is written lands where the read side
 * (RootFs) resolves the same path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RootFs } from '../fs/root-fs';
import { hostileBase, outsideState } from '../testing/hostile-tree';
import { ConfinedFs } from './confined-fs';

const NAMES = ['a', 'b', 'c'] as const;
const name = fc.constantFrom(...NAMES);
const insidePath = fc.array(name, { minLength: 1, maxLength: 4 }).map((p) => `/${p.join('/')}`);

/** Link targets as tokens; OUT is the outside directory's absolute host path. */
const target = fc.oneof(
  insidePath, // absolute inside (chroot-style)
  fc.array(fc.constantFrom('a', 'b', 'c', '..', '.'), { minLength: 1, maxLength: 5 }).map((p) => p.join('/')), // relative, with `..`
  fc.constantFrom('OUT/sentinel', 'OUT/a/b', 'UP/a', '../../../../..', '/', '..', 'SELF'),
  fc.constantFrom('OUT', 'OUT/a', 'UP', 'UP/b'),
  fc.constantFrom('OUT', 'OUT/b', 'UP', 'UP/c'),
);

const entry = fc.record({
  path: insidePath,
  kind: fc.constantFrom('dir', 'file', 'link', 'link', 'link'),
  target,
});

/** A request's path: mostly through an entry of the tree (so through its links), else anywhere. */
const where = fc.record({ pick: fc.nat(), suffix: fc.array(name, { maxLength: 2 }), anywhere: insidePath, random: fc.boolean() });
type Where = { pick: number; suffix: string[]; anywhere: string; random: boolean };

const request = fc.record({
  op: fc.constantFrom('writeFile', 'createFile', 'mkdir', 'symlink', 'unlink', 'chown', 'rename', 'openForWrite', 'clear'),
  path: where,
  other: where,
  content: fc.string({ maxLength: 8 }),
});

type Request = { op: string; path: string; other: string; content: string };

function pathOf(w: Where, entries: { path: string }[]): string {
  if (w.random || entries.length === 0) return w.anywhere;
  return [(entries[w.pick % entries.length] as { path: string }).path, ...w.suffix].join('/');
}

/** What a write following links as the host kernel does would find out there: the same names, files and all. */
function mirror(outside: string): void {
  for (const a of NAMES)
    for (const b of NAMES)
      for (const c of NAMES) {
        fs.mkdirSync(path.join(outside, a, b, c), { recursive: true });
        fs.writeFileSync(path.join(outside, a, b, `${c}.f`), 'outside');
      }
}

/**
 * Builds the tree without ever following a link: an entry whose parent path crosses a link or a
 * file is skipped (the builder must not itself write through the hostile links it makes).
 */
function build(root: string, outside: string, entries: { path: string; kind: string; target: string }[]): void {
  for (const e of entries) {
    const parts = e.path.split('/').filter(Boolean);
    let dir = root;
    let ok = true;
    for (const part of parts.slice(0, -1)) {
      dir = path.join(dir, part);
      const st = fs.lstatSync(dir, { throwIfNoEntry: false });
      if (st === undefined) fs.mkdirSync(dir);
      else if (!st.isDirectory()) ok = false;
      if (!ok) break;
    }
    const host = root + e.path;
    if (!ok || fs.lstatSync(host, { throwIfNoEntry: false }) !== undefined) continue;
    if (e.kind === 'dir') fs.mkdirSync(host);
    else if (e.kind === 'file') fs.writeFileSync(host, `file ${e.path}`, { flag: 'wx' });
    else {
      const up = path.relative(path.dirname(host), outside);
      fs.symlinkSync(e.target === 'SELF' ? path.basename(host) : e.target.replace(/^OUT/, outside).replace(/^UP/, up), host);
    }
  }
}

/** Whether the host kernel, following links from `/`, would take `inside` out of the root (what a naive writer does). */
function kernelWouldLeave(root: string, inside: string): boolean {
  let p = root;
  for (const part of inside.split('/').filter(Boolean)) {
    try {
      p = fs.realpathSync(path.join(p, part));
    } catch {
      return false;
    }
    if (p !== root && !p.startsWith(`${root}/`)) return true;
  }
  return false;
}

function attempt(c: ConfinedFs, r: Request): boolean {
  try {
    switch (r.op) {
      case 'writeFile':
        c.writeFile(r.path, r.content);
        break;
      case 'createFile':
        c.createFile(r.path, r.content);
        break;
      case 'mkdir':
        c.mkdir(r.path);
        break;
      case 'symlink':
        c.symlink(r.other, r.path);
        break;
      case 'unlink':
        return c.unlink(r.path);
      case 'chown':
        c.chown(r.path, 4321, 4321);
        break;
      case 'rename':
        c.rename(r.path, r.other);
        break;
      case 'openForWrite': {
        const fd = c.openForWrite(r.path);
        fs.writeSync(fd, r.content);
        fs.closeSync(fd);
        break;
      }
      case 'clear':
        c.clear(r.path);
        break;
    }
    return true;
  } catch {
    return false;
  }
}

describe('ConfinedFs properties', () => {
  it('never writes outside the root, and writes land where RootFs reads them', () => {
    let leaving = 0;
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), fc.array(request, { minLength: 1, maxLength: 4 }), (entries, asked) => {
        const b = hostileBase();
        try {
          mirror(b.outside);
          build(b.root, b.outside, entries);
          const before = outsideState(b);
          const c = new ConfinedFs(b.root);
          for (const a of asked) {
            const r = { ...a, path: pathOf(a.path, entries), other: pathOf(a.other, entries) };
            if (kernelWouldLeave(b.root, r.path)) leaving++;
            // Where the entry itself is, before the op: a new link may replace a link its own
            // path went through (`/a/a` when /a → .), so afterwards the path no longer leads there.
            const parent = new RootFs(b.root).realPath(path.posix.dirname(r.path));
            const entry = parent === null ? null : path.posix.join(parent, path.posix.basename(r.path));
            const done = attempt(c, r);
            expect(outsideState(b)).toEqual(before);
            if (!done) continue;
            const read = new RootFs(b.root);
            if (r.op === 'writeFile' || r.op === 'createFile') expect(read.readText(r.path)).toBe(r.content);
            if (r.op === 'mkdir') expect(read.isDirectory(r.path)).toBe(true);
            if (r.op === 'symlink' && entry !== null) expect(read.readLink(entry)).toBe(r.other);
            if (r.op === 'unlink' && entry !== null) expect(read.readLink(entry) === null && !read.exists(entry)).toBe(true);
            if (r.op === 'openForWrite') expect(read.readText(r.path)?.startsWith(r.content)).toBe(true);
            if (r.op === 'clear') expect(read.list(r.path)).toEqual([]);
          }
        } finally {
          b.dispose();
        }
      }),
      { numRuns: 300 },
    );
    // The runs really aim at the outside: many requests go through a link the kernel would follow out.
    expect(leaving).toBeGreaterThan(50);
  }, 60_000);
});
