import { describe, expect, it } from 'vitest';
import { DEBIAN_STATIC, DUAL_STACK, INTERFACES, PROXMOX } from '../testing/interfaces-samples';
import { bridgeInInterfaces, unbridgeInInterfaces, type IfupdownUnbridgeEdit, type InterfacesFile } from './ifupdown-bridge';

const main = (text: string): InterfacesFile[] => [{ path: INTERFACES, text }];

function changed(edit: IfupdownUnbridgeEdit): Extract<IfupdownUnbridgeEdit, { ok: true }> {
  if (!edit.ok) throw new Error(`refused: ${edit.reason} ${edit.remedy}`);
  return edit;
}

function refusal(edit: IfupdownUnbridgeEdit): string {
  if (edit.ok) throw new Error(`expected a refusal, got:\n${edit.after}`);
  expect(edit.remedy.length).toBeGreaterThan(0);
  return edit.reason;
}

function bridgedText(text: string, port: string, bridge = 'vmbr0'): string {
  const edit = bridgeInInterfaces(main(text), { port, bridge, mac: '52:54:00:12:34:56' });
  if (!edit.ok) throw new Error(edit.reason);
  return edit.after;
}

describe('unbridgeInInterfaces', () => {
  it('gives the port back the static configuration Passthru moved to the bridge', () => {
    const edit = changed(unbridgeInInterfaces(main(bridgedText(DEBIAN_STATIC, 'eno1')), { bridge: 'vmbr0' }));
    // The options come back right under the iface line; the comment that sat between them stays below.
    const head = DEBIAN_STATIC.slice(0, DEBIAN_STATIC.indexOf('iface eno1'));
    expect(edit.after).toBe(`${head}iface eno1 inet static
\taddress 192.168.1.10/24
\tgateway 192.168.1.1
\tdns-nameservers 192.168.1.1 9.9.9.9
\tdns-search example.org
\t# dns-* options are implemented by the resolvconf package, if installed
`);
    expect(edit).toMatchObject({ ok: true, port: 'eno1', path: INTERFACES, inet: 'static', inet6: null });
    expect(edit.options).toEqual(['address 192.168.1.10/24', 'gateway 192.168.1.1', 'dns-nameservers 192.168.1.1 9.9.9.9', 'dns-search example.org']);
  });

  it('restores inet and inet6 stanzas, the inet6 one right after the inet one', () => {
    const edit = changed(unbridgeInInterfaces(main(bridgedText(DUAL_STACK, 'enp3s0')), { bridge: 'vmbr0' }));
    expect(edit.after).toBe(DUAL_STACK.replace('    mtu 9000\n\n', '    mtu 9000\n'));
    expect(edit).toMatchObject({ port: 'enp3s0', inet: 'static', inet6: 'static' });
  });

  it("takes apart Proxmox's hand-written vmbr0 and brings its port up at boot in its place", () => {
    const edit = changed(unbridgeInInterfaces(main(PROXMOX), { bridge: 'vmbr0' }));
    expect(edit.after).toBe(`auto lo
iface lo inet loopback

auto eno1
iface eno1 inet static
\taddress 192.168.1.2/24
\tgateway 192.168.1.1

source /etc/network/interfaces.d/*
`);
    expect(edit.options).toEqual(['address 192.168.1.2/24', 'gateway 192.168.1.1']);
  });

  it('writes a stanza for a port that had none, where the bridge was, and drops the bridge from a shared auto line', () => {
    const text = 'auto lo br0\niface lo inet loopback\n\n# the LAN\niface br0 inet dhcp\n    bridge_ports eth0\n    bridge_maxwait 0\n    hostname box\n';
    const edit = changed(unbridgeInInterfaces(main(text), { bridge: 'br0' }));
    expect(edit.after).toBe('auto lo\niface lo inet loopback\n\n# the LAN\nauto eth0\niface eth0 inet dhcp\n    hostname box\n');
    expect(edit).toMatchObject({ port: 'eth0', inet: 'dhcp', options: ['hostname box'] });
  });

  it('keeps the port stanza in its file under interfaces.d and an allow-hotplug line as it is', () => {
    const files = [
      { path: INTERFACES, text: 'source interfaces.d/*\n' },
      { path: '/etc/network/interfaces.d/lan', text: 'allow-hotplug eth1\niface eth1 inet manual\n\nauto br1\niface br1 inet manual\n  bridge_ports eth1\n' },
    ];
    const edit = changed(unbridgeInInterfaces(files, { bridge: 'br1' }));
    expect(edit).toMatchObject({ path: '/etc/network/interfaces.d/lan', after: 'allow-hotplug eth1\niface eth1 inet manual\n', inet: 'manual', options: [] });
  });

  it('refuses a second time: the bridge is gone', () => {
    const once = changed(unbridgeInInterfaces(main(PROXMOX), { bridge: 'vmbr0' }));
    expect(refusal(unbridgeInInterfaces(main(once.after), { bridge: 'vmbr0' }))).toMatch(/no "iface vmbr0" stanza/);
  });
});

describe('unbridgeInInterfaces refuses', () => {
  const bridge = (options: string, rest = '') => main(`iface eth0 inet manual\nauto br0\niface br0 inet static\n  address 10.0.0.2/24\n${options}${rest}`);

  it.each([
    ['no stanza for the bridge', main('iface eth0 inet dhcp\n'), /ifupdown does not configure br0/],
    ['no bridge_ports', bridge(''), /br0 has no bridge_ports line/],
    ['bridge_ports none', bridge('  bridge_ports none\n'), /takes its ports with "bridge_ports none"/],
    ['bridge_ports all', bridge('  bridge_ports all\n'), /"bridge_ports all"/],
    ['bridge_ports regex', bridge('  bridge_ports regex eth.*\n'), /br0 has 2 ports \(regex eth\.\*\)/],
    ['two ports', bridge('  bridge_ports eth0 eth1\n'), /br0 has 2 ports \(eth0 eth1\), and only a bridge with one port/],
    ['two bridge_ports lines', bridge('  bridge_ports eth0\n  bridge-ports eth1\n'), /br0 has 2 bridge_ports lines/],
    ['a command on the bridge', bridge('  bridge_ports eth0\n  post-up iptables -t nat -A POSTROUTING -o br0 -j MASQUERADE\n'), /runs a command \(post-up iptables/],
    ['an inet6 method it does not carry', bridge('  bridge_ports eth0\n', 'iface br0 inet6 v4tunnel\n  endpoint 192.0.2.1\n'), /uses v4tunnel/],
    [
      'a port configured with an address',
      main('iface eth0 inet dhcp\niface br0 inet static\n  address 10.0.0.2/24\n  bridge_ports eth0\n'),
      /eth0 already has "iface eth0 inet dhcp"/,
    ],
    [
      'an option set on both',
      main('iface eth0 inet manual\n  mtu 9000\niface br0 inet manual\n  mtu 1500\n  bridge_ports eth0\n'),
      /Both "iface eth0 inet manual" and br0's inet stanza set mtu/,
    ],
    [
      'a port stanza with inherits',
      main('iface base inet manual\n  mtu 9000\niface eth0 inet manual inherits base\niface br0 inet dhcp\n  bridge_ports eth0\n'),
      /cannot give br0's settings to "iface eth0 inet manual inherits base"/,
    ],
    [
      'two inet stanzas for the port',
      main('iface eth0 inet manual\niface eth0 inet manual\niface br0 inet dhcp\n  bridge_ports eth0\n'),
      /not eth0's one plain inet or inet6 stanza/,
    ],
    ['a VLAN on the bridge', bridge('  bridge_ports eth0\n', 'iface br0.20 inet manual\n'), /br0.20 .* is a VLAN on br0/],
    ['an invalid bridge name', bridge('  bridge_ports eth0\n'), /not an interface name/, 'br/0'],
  ])('%s', (_what, files, reason, name = 'br0') => {
    expect(refusal(unbridgeInInterfaces(files, { bridge: name }))).toMatch(reason);
  });

  it('refuses stanzas and lines spread over files', () => {
    const bridgeFile = { path: '/etc/network/interfaces.d/br0', text: 'iface br0 inet dhcp\n  bridge_ports eth0\n' };
    expect(refusal(unbridgeInInterfaces([{ path: INTERFACES, text: 'iface br0 inet6 auto\n' }, bridgeFile], { bridge: 'br0' }))).toMatch(/br0 is configured in two files/);
    expect(refusal(unbridgeInInterfaces([{ path: INTERFACES, text: 'auto lo br0\n' }, bridgeFile], { bridge: 'br0' }))).toMatch(
      /named on a "auto" line in \/etc\/network\/interfaces, not in/,
    );
    expect(refusal(unbridgeInInterfaces([{ path: INTERFACES, text: 'iface eth0 inet manual\n' }, bridgeFile], { bridge: 'br0' }))).toMatch(
      /eth0 is configured in \/etc\/network\/interfaces, not in/,
    );
  });

  it("accepts the multicast snooping line Passthru writes, and only that one, as the bridge's command", () => {
    const ours = bridge('  bridge_ports eth0\n  post-up ip link set dev br0 type bridge mcast_snooping 0\n');
    expect(changed(unbridgeInInterfaces(ours, { bridge: 'br0' })).after).toBe('auto eth0\niface eth0 inet static\n  address 10.0.0.2/24\n');
    const other = bridge('  bridge_ports eth0\n  post-up ip link set dev br0 type bridge mcast_snooping 1\n');
    expect(refusal(unbridgeInInterfaces(other, { bridge: 'br0' }))).toMatch(/runs a command/);
  });
});
