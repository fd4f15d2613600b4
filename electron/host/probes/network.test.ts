import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { RootFs } from '../fs/root-fs';
import type { NetInterface } from '#shared/model';
import { parseIpCapture, readProcNet, type IpCapture } from './ip-state';
import { BRIDGE_NS_IP, THIS_MACHINE_IP, THIS_MACHINE_PROCFS } from '../testing/ip-state.fixtures';
import { makeTempRoot, netIface, writeTree, type Tree } from '../testing/network-test-tree';
import { pciAncestor, probeNetwork } from './network';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function host(tree: Tree): RootFs {
  const root = makeTempRoot();
  roots.push(root);
  writeTree(root, tree);
  return new RootFs(root);
}

function byName(list: NetInterface[]): Record<string, NetInterface> {
  return Object.fromEntries(list.map((i) => [i.name, i]));
}

/** This machine's /sys/class/net as the kernel lays it out (virtio-net under its PCI function). */
const thisMachine: Tree = {
  ...netIface('lo', { ifindex: 1, type: 772, mac: '00:00:00:00:00:00', operstate: 'unknown', mtu: 65536 }),
  ...netIface('ifb0', { ifindex: 2, mac: 'aa:04:d8:b0:b0:01', operstate: 'down' }),
  ...netIface('ifb1', { ifindex: 3, mac: '7e:8b:86:ca:64:2a', operstate: 'down' }),
  ...netIface('eth0', { ifindex: 4, mac: '02:fc:00:00:00:01', mtu: 1400, speed: -1, pci: '0000:00:03.0', via: 'virtio2', driver: 'virtio_net' }),
};

describe('probeNetwork', () => {
  it('reads this machine: eth0 is the virtio NIC at 0000:00:03.0 and the management interface', () => {
    const list = probeNetwork(host(thisMachine), parseIpCapture(THIS_MACHINE_IP, 'iproute2'));
    expect(list.map((i) => i.name)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    const n = byName(list);
    expect(n.eth0).toEqual({
      name: 'eth0',
      mac: '02:fc:00:00:00:01',
      device: '0000:00:03.0',
      driver: 'virtio_net',
      operstate: 'up',
      speedMbps: null,
      mtu: 1400,
      addresses: [
        { family: 'ipv4', address: '192.0.2.2', prefixLength: 24, scope: 'global' },
        { family: 'ipv6', address: 'fd00::2', prefixLength: 64, scope: 'global' },
        { family: 'ipv6', address: 'fe80::fc:ff:fe00:1', prefixLength: 64, scope: 'link' },
      ],
      defaultRoute: { ipv4: true, ipv6: true },
      master: null,
      ports: [],
      kind: 'physical',
      management: true,
      inUse: true,
      pfInterface: null,
    } satisfies NetInterface);
    expect(n.lo).toMatchObject({ kind: 'loopback', device: null, speedMbps: null, management: false });
    expect(n.ifb0).toMatchObject({ kind: 'virtual', device: null, driver: null, inUse: false, management: false, mtu: 1500 });
  });

  it('still finds the management NIC from procfs when ip is missing', () => {
    const fs = host({ ...thisMachine, ...Object.fromEntries(Object.entries(THIS_MACHINE_PROCFS)) });
    const n = byName(probeNetwork(fs, readProcNet(fs)));
    expect(n.eth0).toMatchObject({ management: true, inUse: true, defaultRoute: { ipv4: true, ipv6: true } });
    expect(n.eth0?.addresses.map((a) => a.address)).toEqual(['fd00::2', 'fe80::fc:ff:fe00:1']);
    expect(n.ifb0?.inUse).toBe(false);
  });

  it('marks ports of the bridge that carries the default route (bridge/tap/veth/macvlan namespace)', () => {
    const fs = host({
      ...netIface('lo', { ifindex: 1, type: 772, mac: '00:00:00:00:00:00', operstate: 'unknown', mtu: 65536 }),
      ...netIface('br0', { ifindex: 2, mac: 'fe:88:2f:02:0d:67', operstate: 'down', speed: -1, devtype: 'bridge', bridgePorts: ['tap0'], lowers: ['tap0'] }),
      ...netIface('tap0', { ifindex: 3, mac: 'fe:88:2f:02:0d:67', operstate: 'down', speed: 10000, tun: true, master: 'br0' }),
      ...netIface('v1', { ifindex: 4, mac: '72:34:78:4c:fc:03', speed: 10000 }),
      ...netIface('v0', { ifindex: 5, mac: 'ee:8e:29:d4:1d:4d', speed: 10000 }),
      ...netIface('mv0', { ifindex: 6, mac: 'f6:11:ee:b0:df:7c', speed: 10000, lowers: ['v0'] }),
    });
    const n = byName(probeNetwork(fs, parseIpCapture(BRIDGE_NS_IP, 'iproute2')));
    expect(n.br0).toMatchObject({ kind: 'bridge', ports: ['tap0'], management: true, inUse: true, speedMbps: null });
    expect(n.tap0).toMatchObject({ kind: 'tap', master: 'br0', management: true, inUse: true, speedMbps: 10000 });
    // The macvlan holds an address and a route; its lower veth is in use but not management.
    expect(n.mv0).toMatchObject({ kind: 'virtual', management: false, inUse: true });
    expect(n.v0).toMatchObject({ management: false, inUse: true });
    // Only an IPv6 link-local address: not in use.
    expect(n.v1).toMatchObject({ management: false, inUse: false });
  });

  it('walks a bond inside a bridge down to the physical NICs, and a VLAN to its lower NIC', () => {
    const ip: IpCapture = {
      formatVersion: 1,
      address: [
        { ifindex: 5, ifname: 'br0', addr_info: [{ family: 'inet', local: '10.0.0.2', prefixlen: 24, scope: 'global' }] },
        { ifindex: 6, ifname: 'eth2.10', addr_info: [{ family: 'inet6', local: '2001:db8:10::5', prefixlen: 64, scope: 'global' }] },
      ],
      route4: [
        { dst: 'default', gateway: '10.0.0.1', dev: 'br0', flags: [] },
        { dst: '10.0.0.0/24', dev: 'br0', flags: [] },
      ],
      route6: [{ dst: '2001:db8:10::/64', dev: 'eth2.10', flags: [] }],
    };
    const fs = host({
      ...netIface('eth0', { ifindex: 1, mac: 'a0:36:9f:00:00:01', speed: 1000, pci: '0000:03:00.0', pciParent: 'pci0000:00/0000:00:1c.0', driver: 'igb', master: 'bond0' }),
      ...netIface('eth1', { ifindex: 2, mac: 'a0:36:9f:00:00:01', speed: 1000, pci: '0000:03:00.1', pciParent: 'pci0000:00/0000:00:1c.0', driver: 'igb', master: 'bond0' }),
      ...netIface('eth2', { ifindex: 3, mac: 'a0:36:9f:00:00:03', operstate: 'up', pci: '0000:04:00.0', driver: 'e1000e' }),
      ...netIface('bond0', { ifindex: 4, mac: 'a0:36:9f:00:00:01', devtype: 'bond', bondSlaves: ['eth0', 'eth1'], master: 'br0', lowers: ['eth0', 'eth1'] }),
      ...netIface('br0', { ifindex: 5, mac: 'a0:36:9f:00:00:01', devtype: 'bridge', bridgePorts: ['bond0'], lowers: ['bond0'] }),
      ...netIface('eth2.10', { ifindex: 6, mac: 'a0:36:9f:00:00:03', devtype: 'vlan', lowers: ['eth2'] }),
    });
    const n = byName(probeNetwork(fs, parseIpCapture(ip, 'iproute2')));
    expect(n.bond0).toMatchObject({ kind: 'bond', ports: ['eth0', 'eth1'], master: 'br0', management: true });
    expect(n.br0).toMatchObject({ kind: 'bridge', ports: ['bond0'], management: true, defaultRoute: { ipv4: true, ipv6: false } });
    for (const nic of ['eth0', 'eth1']) {
      expect(n[nic]).toMatchObject({ kind: 'physical', driver: 'igb', master: 'bond0', management: true, inUse: true });
    }
    expect(n.eth0?.device).toBe('0000:03:00.0');
    expect(n['eth2.10']).toMatchObject({ kind: 'vlan', device: null, management: false, inUse: true });
    expect(n.eth2).toMatchObject({ kind: 'physical', device: '0000:04:00.0', driver: 'e1000e', management: false, inUse: true, speedMbps: null });
  });

  it('links an SR-IOV VF interface to its PF interface', () => {
    const fs = host({
      ...netIface('enp3s0f0', { ifindex: 2, mac: '00:1b:21:00:00:00', speed: 1000, pci: '0000:03:00.0', driver: 'igb' }),
      ...netIface('enp3s0f0v0', { ifindex: 7, mac: '62:1a:00:00:00:01', pci: '0000:03:10.0', driver: 'igbvf', physfn: { pci: '0000:03:00.0', iface: 'enp3s0f0' } }),
    });
    const n = byName(probeNetwork(fs, readProcNet(fs)));
    expect(n.enp3s0f0v0).toMatchObject({ device: '0000:03:10.0', driver: 'igbvf', pfInterface: 'enp3s0f0', kind: 'physical' });
    expect(n.enp3s0f0?.pfInterface).toBeNull();
  });

  it('returns no interfaces for a root without /sys/class/net', () => {
    expect(probeNetwork(host({ '/proc/version': 'x' }), readProcNet(host({})))).toEqual([]);
  });
});

describe('pciAncestor', () => {
  it('finds the PCI function a netdev depends on', () => {
    expect(pciAncestor('/sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0')).toBe('0000:03:00.0');
    expect(pciAncestor('/sys/devices/pci0000:00/0000:00:03.0/virtio2')).toBe('0000:00:03.0');
    expect(pciAncestor('/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0')).toBe('0000:00:14.0');
    expect(pciAncestor('/sys/devices/pci10000:00/10000:00:02.0/10000:01:00.0')).toBe('10000:01:00.0');
    expect(pciAncestor('/sys/devices/virtual/net/br0')).toBeNull();
    expect(pciAncestor('/sys/devices/platform/soc/1c50000.ethernet')).toBeNull();
  });
});
