/** Finding system tools for the test harnesses (lab, chroot), with the sbin directories node's PATH may lack. */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** PATH for the tools the harnesses run (and inside the chroot). */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The executable `name` on PATH, the system directories or `extra`, or null. */
export function which(name: string, extra: string[] = []): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...SYSTEM_PATH.split(':'), ...extra];
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return null;
}
