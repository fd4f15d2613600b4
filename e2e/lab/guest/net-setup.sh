#!/bin/sh
# Configures the management NIC inside a lab guest, found by MAC address (udev names it):
#   net-setup.sh MAC IPV4/PREFIX GATEWAY4 IPV6/PREFIX GATEWAY6
# The NIC sits on a qemu user netdev with restrict=on, so nothing ever leaves the machine;
# the addresses are slirp's own, so hostfwd reaches the guest at 10.0.2.15.
set -eu
mac=$1 addr4=$2 gw4=$3 addr6=$4 gw6=$5
ifname=
for d in /sys/class/net/*; do
  if [ "$(cat "$d/address")" = "$mac" ]; then ifname=${d##*/}; fi
done
[ -n "$ifname" ] || { echo "no interface has MAC $mac" >&2; exit 1; }
# Static addressing only: slirp answers router solicitations, and a SLAAC address appearing
# seconds later would make two scans of the same host differ.
for knob in accept_ra=0 autoconf=0 accept_dad=0; do
  echo "${knob#*=}" >"/proc/sys/net/ipv6/conf/$ifname/${knob%=*}"
done
ip link set dev "$ifname" up
ip addr add "$addr4" dev "$ifname"
ip -6 addr add "$addr6" dev "$ifname" nodad
# Routes via a gateway need the link up (carrier) on some kernels: wait for it briefly.
i=0
while [ "$(cat "/sys/class/net/$ifname/operstate")" != up ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ip route add default via "$gw4" dev "$ifname"
ip -6 route add default via "$gw6" dev "$ifname"
echo "$ifname"
