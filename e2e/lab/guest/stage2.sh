#!/bin/sh
# Stage 2 of the lab guest: PID 1 after switch_root, run by this machine's /bin/sh on the
# overlay of the host's /. It makes the guest look like an ordinary booted host (proc, sys,
# devtmpfs, /run, udev loading drivers and naming NICs) and starts
# the command agent (agent.cjs) on the second serial port. Markers on the console (LAB-...)
# let the host report how far boot got when something fails.
#
# Settings read from /lab/io/boot.conf (written by the host): agent= hostname= shell= repo=
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb

say() { echo "$* (uptime $(cut -d" " -f1 /proc/uptime))" >/dev/console; }
die() {
  say "LAB-STAGE2-FAIL: $*"
  echo o >/proc/sysrq-trigger
  while :; do sleep 60; done
}

agent= hostname=lab shell= repo=/
while IFS='=' read -r key value; do
  case "$key" in
    agent) agent=$value ;;
    hostname) hostname=$value ;;
    shell) shell=$value ;;
    repo) repo=$value ;;
  esac
done </lab/io/boot.conf

mkdir -p /dev/pts /dev/shm
say "LAB-STAGE2-START"
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /run
# /tmp is deliberately not a fresh tmpfs: the checkout may live under the host's /tmp (CI
# clones there), and the overlay root already makes /tmp writable in memory.
mkdir -p /run/lock /run/udev
hostname "$hostname"
echo "$hostname" >/etc/hostname
ip link set lo up
# `passthru` on PATH, as after a package install (the guest's overlay is writable).
ln -sf "$repo/dist/cli/passthru.cjs" /usr/local/bin/passthru

# node takes seconds to start under TCG: start the agent now, alongside udev; it says hello
# to the host only once this script creates the ready file.
mkdir -p /run/lab
LAB_READY_FILE=/run/lab/ready node "$agent" /dev/ttyS1 /lab/io &
agent_pid=$!

# udev as on a real host: it loads the drivers matching each device's modalias (also for
# VFs created later) and gives NICs their predictable names (enp1s0, ...).
udevd=/lib/systemd/systemd-udevd
[ -x "$udevd" ] || udevd=/usr/lib/systemd/systemd-udevd
"$udevd" --daemon --resolve-names=never >/dev/null 2>&1 || die "systemd-udevd"
# Only the buses Passthru looks at: replaying every ACPI/platform/input device costs
# seconds under TCG and loads nothing that matters here.
udevadm trigger --action=add --type=subsystems --subsystem-match=pci --subsystem-match=virtio --subsystem-match=net
udevadm trigger --action=add --type=devices --subsystem-match=pci --subsystem-match=virtio --subsystem-match=net
udevadm settle --timeout=120 || say "LAB-STAGE2: udevadm settle timed out"
say "LAB-STAGE2-UDEV-OK"

if [ -n "$shell" ]; then
  # Interactive mode: a login shell on the console; the agent still runs for the host.
  (cd "$repo" && while :; do setsid -c -w /bin/bash </dev/ttyS0 >/dev/ttyS0 2>&1; done) &
fi

touch /run/lab/ready
# PID 1 must never exit (the kernel would panic) and should reap orphans: wait in a loop.
while :; do
  wait "$agent_pid"
  rc=$?
  if ! kill -0 "$agent_pid" 2>/dev/null; then
    say "LAB-AGENT-EXIT: $rc"
    echo o >/proc/sysrq-trigger
    while :; do sleep 60; done
  fi
done
