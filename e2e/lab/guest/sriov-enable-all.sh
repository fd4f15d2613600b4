#!/bin/sh
# Enables every VF of every SR-IOV physical function in a lab guest (sriov_numvfs =
# sriov_totalvfs) and waits for udev to load and bind the VF driver (igbvf), as a host
# configured for SR-IOV at boot would look.
set -eu
for f in /sys/bus/pci/devices/*/sriov_totalvfs; do
  dev=${f%/sriov_totalvfs}
  total=$(cat "$f")
  [ "$total" -gt 0 ] || continue
  [ "$(cat "$dev/sriov_numvfs")" = 0 ] || continue
  echo "$total" >"$dev/sriov_numvfs"
  echo "${dev##*/}: $total VFs"
done
udevadm settle --timeout=120
