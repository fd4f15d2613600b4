#!/bin/sh
# Usage: cli-in-namespace.sh ROOT FAKEPROC PROGRAM ARGV...
#        (run under `unshare --mount --propagation private --fork`, like enter-chroot.sh)
#
# Runs PROGRAM ARGV... (node and the built `passthru` CLI) on the host side, with the chroot
# ROOT prepared as enter-chroot.sh prepares it for update-grub — ROOT a mount point of its own,
# /proc and /dev mounted in it — so that the CLI's own `chroot ROOT update-grub` works. The
# files in FAKEPROC (cpuinfo, cmdline, sys/kernel/osrelease) are bound over ROOT's /proc ones,
# so detection sees the running machine the test describes (an Intel CPU) whatever the real
# one is. All mounts live in this private namespace and end with the command. ARGV is passed
# on as arguments, never interpreted by this shell.
set -eu
root=$1
fakeproc=$2
shift 2
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
for f in cpuinfo cmdline sys/kernel/osrelease; do
  if [ -f "$fakeproc/$f" ]; then mount --bind "$fakeproc/$f" "$root/proc/$f"; fi
done
mount --bind /dev "$root/dev"
exec "$@"
