#!/bin/busybox sh
# Stage 1 of the lab guest, /init of the initramfs (busybox only). It loads the 9p and
# overlay modules, mounts the host's / read-only over virtio-9p with a tmpfs overlay on top,
# and switch_roots into it, running stage 2 (e2e/lab/guest/stage2.sh of the host checkout,
# named in boot.conf on the writable share) with the host's own /bin/sh.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /lower /rw /newroot
/bin/busybox --install -s

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fail() {
  echo "LAB-STAGE1-FAIL: $*" >/dev/console
  echo o >/proc/sysrq-trigger
  sleep 5
  poweroff -f
}

for m in $(cat /modules/order); do
  insmod "/modules/$m.ko" || fail "insmod $m"
done

# The host writes boot.conf (stage2=, agent=, hostname=, shell=) into the writable share, so
# the kernel command line stays what a real host's would be (it shows up in scans).
mkdir -p /lab-io
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none labio /lab-io || fail "mount labio"
stage2=
while IFS='=' read -r key value; do
  [ "$key" = stage2 ] && stage2=$value
done </lab-io/boot.conf
[ -n "$stage2" ] || fail "no stage2= in boot.conf"

# cache=loose: the host root does not change under a short-lived guest, and it makes
# node and lspci start several times faster over 9p.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro,cache=loose hostroot /lower || fail "mount hostroot"
mount -t tmpfs -o mode=0755 tmpfs /rw || fail "mount tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot || fail "mount overlay"
[ -f "/newroot$stage2" ] || fail "stage 2 script $stage2 not found on the host root"

read -r up _ </proc/uptime
echo "LAB-STAGE1-OK (uptime $up)" >/dev/console
mkdir -p /newroot/lab/io /newroot/lab/lower /newroot/lab/rw
mount --move /lab-io /newroot/lab/io || fail "move /lab-io"
# Keep the overlay's layers visible after switch_root, as live systems do (/run/live/rootfs):
# otherwise no mount in the guest names the 9p root, and nothing could tell that unbinding
# 0000:00:10.0 pulls the root file system away (the assign planner refuses it because of this).
mount --move /lower /newroot/lab/lower || fail "move /lower"
mount --move /rw /newroot/lab/rw || fail "move /rw"
for d in proc sys dev; do mount --move "/$d" "/newroot/$d" || fail "move /$d"; done
exec switch_root /newroot /bin/sh "$stage2"
