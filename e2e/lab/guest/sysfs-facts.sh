#!/bin/sh
# Prints what the guest kernel says about its PCI devices, read straight from sysfs with
# plain tools and no Passthru code: the independent source the lab's checks compare
# `passthru scan --json` with. One fact per line, tab-separated:
#   dev     ADDR PARENT|- DRIVER|-      (parent: the bridge directory above it in sysfs)
#   sriov   ADDR TOTALVFS NUMVFS
#   virtfn  ADDR INDEX VF
#   physfn  ADDR PF
#   attr    ADDR NAME VALUE|-           (driver_override, numa_node, reset_method; - = no file)
#   group   ID ADDR                     (from /sys/kernel/iommu_groups/*/devices)
#   iommu   UNIT                        (/sys/class/iommu)
#   ifdev   IFNAME ADDR|-               (the PCI function at or above /sys/class/net/*/device:
#                                        a virtio NIC's device is virtioN under the function)
#   ifattr  IFNAME OPERSTATE SPEED|- PFIFNAME|-   (speed: - when unreadable, as for a link down)
set -u
t=$(printf '\t')
for d in /sys/bus/pci/devices/*; do
  [ -e "$d" ] || continue
  a=${d##*/}
  parent=$(basename "$(dirname "$(readlink -f "$d")")")
  case $parent in ????:??:??.?) ;; *) parent=- ;; esac
  drv=-
  [ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
  echo "dev$t$a$t$parent$t$drv"
  for attr in driver_override numa_node reset_method; do
    v=-
    [ -e "$d/$attr" ] && v=$(cat "$d/$attr" 2>/dev/null)
    echo "attr$t$a$t$attr$t$v"
  done
  [ -e "$d/sriov_totalvfs" ] && echo "sriov$t$a$t$(cat "$d/sriov_totalvfs")$t$(cat "$d/sriov_numvfs")"
  for v in "$d"/virtfn*; do
    [ -e "$v" ] && echo "virtfn$t$a$t${v##*/virtfn}$t$(basename "$(readlink "$v")")"
  done
  [ -e "$d/physfn" ] && echo "physfn$t$a$t$(basename "$(readlink "$d/physfn")")"
done
for g in /sys/kernel/iommu_groups/*; do
  [ -d "$g" ] || continue
  for m in "$g"/devices/*; do
    [ -e "$m" ] && echo "group$t${g##*/}$t${m##*/}"
  done
done
for u in /sys/class/iommu/*; do
  [ -e "$u" ] && echo "iommu$t${u##*/}"
done
for n in /sys/class/net/*; do
  [ -e "$n" ] || continue
  dev=-
  if [ -e "$n/device" ]; then
    p=$(readlink -f "$n/device")
    while [ "$p" != / ]; do
      case ${p##*/} in ????:??:??.?) dev=${p##*/}; break ;; esac
      p=$(dirname "$p")
    done
  fi
  echo "ifdev$t${n##*/}$t$dev"
  speed=$(cat "$n/speed" 2>/dev/null) || speed=-
  pf=-
  [ -d "$n/device/physfn/net" ] && pf=$(ls "$n/device/physfn/net" | head -n 1)
  echo "ifattr$t${n##*/}$t$(cat "$n/operstate")$t${speed:--}$t$pf"
done
exit 0
