/**
 * Test-only: host data that holds escape sequences, as a crafted host or snapshot may. A copy
 * of a fixture tree with names swapped everywhere — file names, symlink targets, file contents
 * (JSON-escaped in .json files) — so the hostname, an interface, a driver and the kernel
 * release hold whatever text a test chooses, consistently, as a real host (or a crafted
 * snapshot) could.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';

/** Renames `from` to `to` everywhere under `dir`. */
export function replaceInTree(dir: string, from: string, to: string): void {
  for (const name of fs.readdirSync(dir)) {
    let path = join(dir, name);
    if (name.includes(from)) {
      const renamed = join(dir, name.split(from).join(to));
      fs.renameSync(path, renamed);
      path = renamed;
    }
    const st = fs.lstatSync(path);
    if (st.isSymbolicLink()) {
      const target = fs.readlinkSync(path);
      if (target.includes(from)) {
        fs.rmSync(path);
        fs.symlinkSync(target.split(from).join(to), path);
      }
    } else if (st.isDirectory()) {
      replaceInTree(path, from, to);
    } else {
      const text = fs.readFileSync(path, 'utf8');
      const replacement = path.endsWith('.json') ? JSON.stringify(to).slice(1, -1) : to;
      if (text.includes(from)) fs.writeFileSync(path, text.split(from).join(replacement));
    }
  }
}

export interface HostileNames {
  hostname: string;
  /** Replaces the interface enp1s0 (of 0000:01:00.0). */
  iface: string;
  /** Replaces the driver igb (of 0000:01:00.0). */
  driver: string;
  kernel: string;
}

/** A copy of the seed fixture (`seedDir`) at `dest` carrying `names`. */
export function hostileSeedTree(seedDir: string, dest: string, names: HostileNames): string {
  fs.cpSync(seedDir, dest, { recursive: true, verbatimSymlinks: true });
  replaceInTree(dest, 'lab-seed', names.hostname);
  replaceInTree(dest, 'enp1s0', names.iface);
  replaceInTree(dest, 'igb', names.driver);
  // The fixture's own kernel release (the lab's Debian kernel moves with the archive).
  replaceInTree(dest, fs.readFileSync(`${seedDir}/proc/sys/kernel/osrelease`, 'utf8').trim(), names.kernel);
  return dest;
}

/**
 * Puts `text` where a journal's host text reaches the user: each record's root (shown with the
 * entry when it is not this machine) and a step error. Step words are made from the ops, which
 * hold nothing but checked addresses and names, so there is no title to taint.
 */
export function taintJournal(stateDir: string, text: string): void {
  for (const f of fs.readdirSync(stateDir).filter((n) => n.endsWith('.json'))) {
    const file = join(stateDir, f);
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as { root: string; steps: { error: string | null }[] };
    record.root = `${record.root}/${text}`;
    for (const s of record.steps) s.error = `${s.error ?? 'failed'} ${text}`;
    fs.writeFileSync(file, JSON.stringify(record));
  }
}
