/**
 * The Debian kernel installed on this machine for the lab (package linux-image-amd64): its
 * release, found rather than written down, because the archive moves the package to a new
 * ABI (6.1.0-56 → 6.1.0-57) without notice and a pinned name breaks every test that reads
 * its module lists.
 */
import * as fs from 'node:fs';

/** The newest `/lib/modules/<release>-amd64` that holds modules.alias and modules.dep. */
export function debianKernelRelease(): string {
  const releases = (() => {
    try {
      return fs.readdirSync('/lib/modules');
    } catch {
      return [];
    }
  })()
    .filter((r) => /^\d+\.\d+\.\d+-\d+-amd64$/.test(r))
    .filter((r) => fs.existsSync(`/lib/modules/${r}/modules.alias`) && fs.existsSync(`/lib/modules/${r}/modules.dep`))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const newest = releases.at(-1);
  if (!newest) throw new Error('No Debian kernel modules under /lib/modules: install linux-image-amd64 (sudo bash .ci/install-system-packages).');
  return newest;
}
