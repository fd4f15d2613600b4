/**
 * `mkdir -p` for directories Passthru keeps its own files in (the journal, VM profiles and
 * runtime files). Not Node's `mkdirSync(…, { recursive: true })`: on a path under /proc it
 * loops for ever (mkdir says ENOENT for a parent that exists, and Node retries), so a
 * `--state-dir /proc/x` would hang the command at 100% CPU. Each missing component is made on
 * its own, and the first real error is thrown.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function makeDirs(dir: string, mode = 0o755): void {
  const absolute = path.resolve(dir);
  const missing: string[] = [];
  for (let at = absolute; ; at = path.dirname(at)) {
    const st = fs.statSync(at, { throwIfNoEntry: false });
    if (st?.isDirectory()) break;
    if (st) throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR', path: at });
    if (path.dirname(at) === at) break;
    missing.unshift(at);
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
