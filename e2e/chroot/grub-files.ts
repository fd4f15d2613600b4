/** Reading a chroot's boot configuration back, for the tests that compare it before and after. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every regular file under the given directories of the chroot, by path, with its bytes (latin1, exact). */
export function snapshotFiles(root: string, dirs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out[r] = readFileSync(path.join(root, r), 'latin1');
    }
  };
  for (const d of dirs) walk(d);
  return out;
}

/** The kernel arguments of each normal (non-recovery) `linux` line of a grub.cfg. */
export function normalLinuxArgs(cfg: string): string[][] {
  return cfg
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^linux\s/.test(l) && !/\ssingle(\s|$)/.test(l))
    .map((l) => l.split(/\s+/).slice(2));
}
