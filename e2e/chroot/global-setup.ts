/**
 * Runs once before the chroot suites: checks the prerequisites (root, debootstrap, …) and
 * builds the cached Debian chroot if there is none yet (about a minute), so that the tests'
 * own timeouts only cover extracting a copy and running commands in it.
 */
import { ensureDebianChroot, pruneStaleCopies } from './debian-chroot';

export default async function setup(): Promise<void> {
  const started = Date.now();
  const { tarball, manifest } = await ensureDebianChroot((line) => console.log(`[chroot] ${line}`));
  const stale = await pruneStaleCopies();
  if (stale) console.log(`[chroot] removed ${stale} copies left by interrupted runs`);
  console.log(
    `[chroot] ${tarball} (Debian ${manifest.suite}, ${manifest.packages.length} packages, ${(manifest.tarballBytes / 1e6).toFixed(0)} MB; ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}
