#!/bin/sh
# Usage: enter-chroot.sh ROOT ARGV...   (run by runInChroot under `unshare --mount --propagation private --fork`)
#
# Runs ARGV inside the chroot ROOT with what grub-probe (and so update-grub / grub-mkconfig)
# needs to find the device of `/`: ROOT as a mount point of its own (a bind mount onto itself,
# so /proc/self/mountinfo inside the chroot shows a `/`), /proc, and /dev (the device node of
# the filesystem under ROOT). No /sys: update-grub does not need it. The mounts live in the
# private mount namespace that unshare made for this one command, so they vanish when it
# exits, however it exits: nothing can leak onto the host or be deleted through a leftover
# bind mount. ARGV is passed on as arguments, never interpreted by this shell.
set -eu
root=$1
shift
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
exec chroot "$root" "$@"
