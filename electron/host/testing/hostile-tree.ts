/**
 * Test support for the hostile-tree tests (a tree whose owner plants links out of it): a temp
 * directory holding the root under test and, beside it, an `outside/` directory with a sentinel
 * file — what a tree's owner would aim a link at. `linkOut` replaces one component of the root
 * by a link to the same path under `outside/` (absolute, or as a `../..` chain), where a mirror
 * of it exists, so a write that follows the link as the host kernel would lands outside and is
 * seen. `outsideState` lists everything in the temp directory but the root (names, kinds,
 * modes, owners, bytes, link targets): equal before and after means nothing outside was touched
 * and nothing appeared.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempRoot } from './fake-sysfs';

export const SENTINEL = 'outside the root: must never change\n';

export interface HostileBase {
  base: string;
  root: string;
  outside: string;
  sentinel: string;
  /**
   * Replaces the entry at `inside` (or creates it) by a link to `outside/<inside>`; a missing
   * entry is mirrored as `missingAs` (a directory on the way, or the file itself).
   */
  linkOut(inside: string, kind: 'absolute' | 'dotdot', missingAs?: 'dir' | 'file'): void;
  dispose(): void;
}

/** A base directory with `root/` (or `root` moved in) and `outside/` holding the sentinel. */
export function hostileBase(root?: string): HostileBase {
  const base = makeTempRoot('passthru-hostile-');
  const inner = path.join(base, 'root');
  if (root === undefined) fs.mkdirSync(inner);
  else fs.renameSync(root, inner);
  const outside = path.join(base, 'outside');
  fs.mkdirSync(outside);
  const sentinel = path.join(outside, 'sentinel');
  fs.writeFileSync(sentinel, SENTINEL);
  return {
    base,
    root: inner,
    outside,
    sentinel,
    linkOut(inside, kind, missingAs = 'dir') {
      const host = inner + inside;
      const mirror = outside + inside;
      // The mirror is what a write through the link would find: a directory with the same
      // names inside (a link of the tree's own is mirrored as what it leads to), or a file
      // holding the sentinel.
      const st = fs.statSync(host, { throwIfNoEntry: false });
      if (st?.isDirectory()) fs.cpSync(fs.realpathSync(host), mirror, { recursive: true, verbatimSymlinks: true });
      else if (st === undefined && missingAs === 'dir') fs.mkdirSync(mirror, { recursive: true });
      else {
        fs.mkdirSync(path.dirname(mirror), { recursive: true });
        fs.writeFileSync(mirror, SENTINEL);
      }
      fs.rmSync(host, { recursive: true, force: true });
      fs.mkdirSync(path.dirname(host), { recursive: true });
      fs.symlinkSync(kind === 'absolute' ? mirror : path.relative(path.dirname(host), mirror), host);
    },
    dispose() {
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Everything under the base but the root: a map from path to kind, mode, owner and bytes or target. */
export function outsideState(b: Pick<HostileBase, 'base' | 'root'>): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const abs = path.join(dir, name);
      if (abs === b.root || abs.startsWith(`${b.root}.`)) continue;
      const st = fs.lstatSync(abs);
      const head = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
      if (st.isSymbolicLink()) out[abs] = `link ${fs.readlinkSync(abs)}`;
      else if (st.isDirectory()) {
        out[abs] = `dir ${head}`;
        walk(abs);
      } else out[abs] = `file ${head} ${st.isFile() ? fs.readFileSync(abs).toString('base64') : 'special'}`;
    }
  };
  walk(b.base);
  return out;
}
