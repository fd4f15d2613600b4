/**
 * Real iproute2 JSON and procfs text, captured (iproute2 6.1, kernel 6.18) for the network
 * and ip-state tests: this machine (one virtio NIC with v4+v6 default routes) and a network
 * namespace with a bridge (address + default routes, tap port), a veth pair and a macvlan
 * on one of the veths with its own address and a static route. Bonds and VLANs could not be
 * created on that kernel; their tests build the sysfs layout the kernel documents.
 */
import type { IpCapture } from '../probes/ip-state';

/** `ip -j address show` / `ip -j -4 route show` / `ip -j -6 route show` on this machine. */
export const THIS_MACHINE_IP: IpCapture = {
  formatVersion: 1,
  address: [
    {
      ifindex: 1,
      ifname: 'lo',
      flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
      mtu: 65536,
      qdisc: 'noqueue',
      operstate: 'UNKNOWN',
      group: 'default',
      txqlen: 1000,
      link_type: 'loopback',
      address: '00:00:00:00:00:00',
      broadcast: '00:00:00:00:00:00',
      addr_info: [
        { family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo', valid_life_time: 4294967295, preferred_life_time: 4294967295 },
        { family: 'inet6', local: '::1', prefixlen: 128, scope: 'host', valid_life_time: 4294967295, preferred_life_time: 4294967295 },
      ],
    },
    {
      ifindex: 2,
      ifname: 'ifb0',
      flags: ['BROADCAST', 'NOARP'],
      mtu: 1500,
      qdisc: 'noop',
      operstate: 'DOWN',
      group: 'default',
      txqlen: 32,
      link_type: 'ether',
      address: 'aa:04:d8:b0:b0:01',
      broadcast: 'ff:ff:ff:ff:ff:ff',
      addr_info: [],
    },
    {
      ifindex: 3,
      ifname: 'ifb1',
      flags: ['BROADCAST', 'NOARP'],
      mtu: 1500,
      qdisc: 'noop',
      operstate: 'DOWN',
      group: 'default',
      txqlen: 32,
      link_type: 'ether',
      address: '7e:8b:86:ca:64:2a',
      broadcast: 'ff:ff:ff:ff:ff:ff',
      addr_info: [],
    },
    {
      ifindex: 4,
      ifname: 'eth0',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: 1400,
      qdisc: 'pfifo_fast',
      operstate: 'UP',
      group: 'default',
      txqlen: 1000,
      link_type: 'ether',
      address: '02:fc:00:00:00:01',
      broadcast: 'ff:ff:ff:ff:ff:ff',
      addr_info: [
        {
          family: 'inet',
          local: '192.0.2.2',
          prefixlen: 24,
          broadcast: '192.0.2.255',
          scope: 'global',
          label: 'eth0',
          valid_life_time: 4294967295,
          preferred_life_time: 4294967295,
        },
        { family: 'inet6', local: 'fd00::2', prefixlen: 64, scope: 'global', nodad: true, valid_life_time: 4294967295, preferred_life_time: 4294967295 },
        { family: 'inet6', local: 'fe80::fc:ff:fe00:1', prefixlen: 64, scope: 'link', valid_life_time: 4294967295, preferred_life_time: 4294967295 },
      ],
    },
  ],
  route4: [
    { dst: 'default', gateway: '192.0.2.1', dev: 'eth0', flags: [] },
    { dst: '192.0.2.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '192.0.2.2', flags: [] },
  ],
  route6: [
    { dst: 'fd00::/64', dev: 'eth0', protocol: 'kernel', metric: 256, flags: [], pref: 'medium' },
    { dst: 'fe80::/64', dev: 'eth0', protocol: 'kernel', metric: 256, flags: [], pref: 'medium' },
    { dst: 'default', gateway: 'fd00::1', dev: 'eth0', metric: 1024, flags: [], pref: 'medium' },
  ],
};

/** /proc/net/{route,ipv6_route,if_inet6} on this machine. */
export const THIS_MACHINE_PROCFS: Record<string, string> = {
  '/proc/net/route':
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       \neth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0                                                                               \neth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                               \n',
  '/proc/net/ipv6_route':
    'fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\nfe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0\n00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo\nfd000000000000000000000000000002 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000003 00000000 80200001     eth0\nfe8000000000000000fc00fffe000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001     eth0\nff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000003 00000000 00000001     eth0\n00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n',
  '/proc/net/if_inet6':
    '00000000000000000000000000000001 01 80 10 80       lo\nfe8000000000000000fc00fffe000001 04 40 20 80     eth0\nfd000000000000000000000000000002 04 40 00 82     eth0\n',
};

/** The same commands in the bridge/veth/macvlan namespace. */
export const BRIDGE_NS_IP: IpCapture = {
  formatVersion: 1,
  address: [
    {
      ifindex: 1,
      ifname: 'lo',
      flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
      mtu: 65536,
      qdisc: 'noqueue',
      operstate: 'UNKNOWN',
      group: 'default',
      txqlen: 1000,
      link_type: 'loopback',
      address: '00:00:00:00:00:00',
      broadcast: '00:00:00:00:00:00',
      addr_info: [
        { family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo', valid_life_time: 4294967295, preferred_life_time: 4294967295 },
        { family: 'inet6', local: '::1', prefixlen: 128, scope: 'host', valid_life_time: 4294967295, preferred_life_time: 4294967295 },
      ],
    },
    {
      ifindex: 2,
      ifname: 'br0',
      flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP'],
      mtu: 1500,
      qdisc: 'noqueue',
      operstate: 'DOWN',
      group: 'default',
      txqlen: 1000,
      link_type: 'ether',
      address: 'fe:88:2f:02:0d:67',
      broadcast: 'ff:ff:ff:ff:ff:ff',
      addr_info: [
        { family: 'inet', local: '10.9.0.2', prefixlen: 24, scope: 'global', label: 'br0', valid_life_time: 4294967295, preferred_life_time: 4294967295 },
        { family: 'inet6', local: '2001:db8::2', prefixlen: 64, scope: 'global', nodad: true, valid_life_time: 4294967295, preferred_life_time: 4294967295 },
      ],
    },
    {
      ifindex: 3,
      ifname: 'tap0',
      flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP'],
      mtu: 1500,
      qdisc: 'pfifo_fast',
      master: 'br0',
      operstate: 'DOWN',
      group: 'default',
      txqlen: 1000,
      link_type: 'ether',
      address: 'fe:88:2f:02:0d:67',
      broadcast: 'ff:ff:ff:ff:ff:ff',
      addr_info: [],
    },
    {
      ifindex: 4,
      link: 'v0',
      ifname: 'v1',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: 1500,
      qdisc: 'noqueue',
      operstate: 'UP',
      group: 'default',
      txqlen: 1000,
      link_type: 'ether',
      address: '72:34:78:4c:fc:03',
      broadcast: 'ff:ff:ff:ff:ff:ff',
      addr_info: [{ family: 'inet6', local: 'fe80::7034:78ff:fe4c:fc03', prefixlen: 64, scope: 'link', valid_life_time: 4294967295, preferred_life_time: 4294967295 }],
    },
    {
      ifindex: 5,
      link: 'v1',
      ifname: 'v0',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: 1500,
      qdisc: 'noqueue',
      operstate: 'UP',
      group: 'default',
      txqlen: 1000,
      link_type: 'ether',
      address: 'ee:8e:29:d4:1d:4d',
      broadcast: 'ff:ff:ff:ff:ff:ff',
      addr_info: [{ family: 'inet6', local: 'fe80::ec8e:29ff:fed4:1d4d', prefixlen: 64, scope: 'link', valid_life_time: 4294967295, preferred_life_time: 4294967295 }],
    },
    {
      ifindex: 6,
      link: 'v0',
      ifname: 'mv0',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: 1500,
      qdisc: 'noqueue',
      operstate: 'UP',
      group: 'default',
      txqlen: 1000,
      link_type: 'ether',
      address: 'f6:11:ee:b0:df:7c',
      broadcast: 'ff:ff:ff:ff:ff:ff',
      addr_info: [
        { family: 'inet', local: '10.8.0.5', prefixlen: 16, scope: 'global', label: 'mv0', valid_life_time: 4294967295, preferred_life_time: 4294967295 },
        { family: 'inet6', local: 'fe80::f411:eeff:feb0:df7c', prefixlen: 64, scope: 'link', valid_life_time: 4294967295, preferred_life_time: 4294967295 },
      ],
    },
  ],
  route4: [
    { dst: 'default', gateway: '10.9.0.1', dev: 'br0', flags: ['linkdown'] },
    { dst: '10.8.0.0/16', dev: 'mv0', protocol: 'kernel', scope: 'link', prefsrc: '10.8.0.5', flags: [] },
    { dst: '10.9.0.0/24', dev: 'br0', protocol: 'kernel', scope: 'link', prefsrc: '10.9.0.2', flags: ['linkdown'] },
    { dst: '172.16.0.0/12', gateway: '10.8.0.1', dev: 'mv0', flags: [] },
  ],
  route6: [
    { dst: '2001:db8::/64', dev: 'br0', protocol: 'kernel', metric: 256, flags: ['linkdown'], pref: 'medium' },
    { dst: 'fe80::/64', dev: 'v1', protocol: 'kernel', metric: 256, flags: [], pref: 'medium' },
    { dst: 'fe80::/64', dev: 'v0', protocol: 'kernel', metric: 256, flags: [], pref: 'medium' },
    { dst: 'fe80::/64', dev: 'mv0', protocol: 'kernel', metric: 256, flags: [], pref: 'medium' },
    { dst: 'default', gateway: '2001:db8::1', dev: 'br0', metric: 1024, flags: ['linkdown'], pref: 'medium' },
  ],
};

/** /proc/net/{route,ipv6_route,if_inet6} in the bridge/veth/macvlan namespace. */
export const BRIDGE_NS_PROCFS: Record<string, string> = {
  '/proc/net/route':
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       \nbr0\t00000000\t0100090A\t0003\t0\t0\t0\t00000000\t0\t0\t0                                                                                \nmv0\t0000080A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0                                                                                \nbr0\t0000090A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                                \nmv0\t000010AC\t0100080A\t0003\t0\t0\t0\t0000F0FF\t0\t0\t0                                                                                \n',
  '/proc/net/ipv6_route':
    '20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001      br0\nfe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001       v1\nfe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001       v0\nfe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001      mv0\n00000000000000000000000000000000 00 00000000000000000000000000000000 00 20010db8000000000000000000000001 00000400 00000001 00000000 00000003      br0\n00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000003 00000000 80200001       lo\n20010db8000000000000000000000002 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001      br0\nfe80000000000000703478fffe4cfc03 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       v1\nfe80000000000000ec8e29fffed41d4d 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       v0\nfe80000000000000f411eefffeb0df7c 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000004 00000000 80200001      mv0\nff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000004 00000000 00000001       v1\nff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000003 00000000 00000001       v0\nff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001      br0\nff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001      mv0\n00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n',
  '/proc/net/if_inet6':
    'fe80000000000000f411eefffeb0df7c 06 40 20 80      mv0\nfe80000000000000ec8e29fffed41d4d 05 40 20 80       v0\n00000000000000000000000000000001 01 80 10 80       lo\nfe80000000000000703478fffe4cfc03 04 40 20 80       v1\n20010db8000000000000000000000002 02 40 00 82      br0\n',
};
