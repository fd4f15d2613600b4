import { describe, expect, it } from 'vitest';
import { DEBIAN_DHCP, DEBIAN_STATIC, DUAL_STACK, INTERFACES, ONLY_INET6 } from '../testing/interfaces-samples';
import { bridgeInInterfaces, unbridgeInInterfaces, type IfupdownEdit, type InterfacesFile } from './ifupdown-bridge';

const MAC = '52:54:00:12:34:56';
const main = (text: string): InterfacesFile[] => [{ path: INTERFACES, text }];
const bridged = (files: InterfacesFile[], port: string, bridge = 'vmbr0') => bridgeInInterfaces(files, { port, bridge, mac: MAC });

function changed(edit: IfupdownEdit): Extract<IfupdownEdit, { ok: true }> {
  if (!edit.ok) throw new Error(`refused: ${edit.reason} ${edit.remedy}`);
  return edit;
}

function refusal(edit: IfupdownEdit): string {
  if (edit.ok) throw new Error(`expected a refusal, got:\n${edit.after}`);
  expect(edit.remedy.length).toBeGreaterThan(0);
  return edit.reason;
}

const bridgeLines = (indent: string, port: string, bridge = 'vmbr0') =>
  [`bridge_ports ${port}`, `bridge_hw ${MAC}`, 'bridge_stp off', 'bridge_fd 0', 'bridge_maxwait 0', `post-up ip link set dev ${bridge} type bridge mcast_snooping 0`]
    .map((l) => indent + l)
    .join('\n');

describe('bridgeInInterfaces', () => {
  it("moves a static NIC's address, gateway and DNS to the bridge and keeps the file's comments, tabs and auto line", () => {
    const edit = changed(bridged(main(DEBIAN_STATIC), 'eno1'));
    const head = DEBIAN_STATIC.slice(0, DEBIAN_STATIC.indexOf('iface eno1'));
    expect(edit.after).toBe(
      `${head}iface eno1 inet manual
\t# dns-* options are implemented by the resolvconf package, if installed

auto vmbr0
iface vmbr0 inet static
\taddress 192.168.1.10/24
\tgateway 192.168.1.1
\tdns-nameservers 192.168.1.1 9.9.9.9
\tdns-search example.org
${bridgeLines('\t', 'eno1')}
`,
    );
    expect(edit).toMatchObject({ path: INTERFACES, before: DEBIAN_STATIC, inet: 'static', inet6: null });
    expect(edit.options).toEqual(['address 192.168.1.10/24', 'gateway 192.168.1.1', 'dns-nameservers 192.168.1.1 9.9.9.9', 'dns-search example.org']);
  });

  it('bridges a DHCP NIC brought up by allow-hotplug, which keeps its allow-hotplug line', () => {
    const edit = changed(bridged(main(DEBIAN_DHCP), 'eth0', 'br0'));
    expect(edit.after).toBe(DEBIAN_DHCP.replace('iface eth0 inet dhcp\n', `iface eth0 inet manual\n\nauto br0\niface br0 inet dhcp\n${bridgeLines('    ', 'eth0', 'br0')}\n`));
    expect(edit).toMatchObject({ inet: 'dhcp', inet6: null, options: [] });
    expect(changed(unbridgeInInterfaces(main(edit.after), { bridge: 'br0' })).after).toBe(DEBIAN_DHCP);
  });

  it('moves inet and inet6 stanzas to the bridge, in their order, and leaves the other NIC alone', () => {
    const edit = changed(bridged(main(DUAL_STACK), 'enp3s0'));
    expect(edit.after).toBe(`auto lo
iface lo inet loopback

auto enp3s0
iface enp3s0 inet manual

auto vmbr0
iface vmbr0 inet static
    address 203.0.113.10
    netmask 255.255.255.0
    gateway 203.0.113.1
    mtu 9000
${bridgeLines('    ', 'enp3s0')}
iface vmbr0 inet6 static
    address 2001:db8:10::10/64
    gateway 2001:db8:10::1

auto enp4s0
iface enp4s0 inet dhcp
`);
    expect(edit).toMatchObject({ inet: 'static', inet6: 'static' });
    expect(edit.options).toHaveLength(6);
  });

  it('gives a NIC configured for IPv6 alone a bridge whose inet manual stanza carries the bridge', () => {
    const edit = changed(bridged(main(ONLY_INET6), 'eth0'));
    expect(edit.after).toBe(`auto lo
iface lo inet loopback

auto eth0
iface eth0 inet manual

auto vmbr0
iface vmbr0 inet manual
${bridgeLines('  ', 'eth0')}
iface vmbr0 inet6 auto
  accept_ra 2
  privext 0
`);
    expect(edit).toMatchObject({ inet: null, inet6: 'auto', options: ['accept_ra 2', 'privext 0'] });
    expect(changed(unbridgeInInterfaces(main(edit.after), { bridge: 'vmbr0' })).after).toBe(ONLY_INET6);
  });

  it('edits the file under interfaces.d that configures the NIC', () => {
    const files = [
      { path: INTERFACES, text: 'source interfaces.d/*\n\nauto lo\niface lo inet loopback\n' },
      { path: '/etc/network/interfaces.d/eno1', text: 'auto eno1\niface eno1 inet dhcp\n  hostname pve\n' },
    ];
    const edit = changed(bridged(files, 'eno1'));
    expect(edit.path).toBe('/etc/network/interfaces.d/eno1');
    expect(edit.before).toBe(files[1]?.text);
    expect(edit.after).toBe(`auto eno1\niface eno1 inet manual\n\nauto vmbr0\niface vmbr0 inet dhcp\n  hostname pve\n${bridgeLines('  ', 'eno1')}\n`);
  });

  it('keeps every other line byte for byte: odd spacing, comments inside the stanza, continued lines, hwaddress on the port', () => {
    const before = [
      '#   a comment   with  spaces ',
      'auto  lo   eth1',
      'iface lo inet loopback',
      '   # indented comment',
      'iface eth1 inet static',
      '        address 10.0.0.2/8',
      '\tup ip route add 10.1.0.0/16 \\',
      '\t\tvia 10.0.0.1',
      '',
      'iface eth2 inet static',
      '\t\taddress 10.9.0.1/24 \\',
      '\t\t  ',
      '\t\t# explains the MAC',
      '\t\thwaddress 02:00:00:00:00:07',
      '\t\tmtu 1400',
      '# trailing comment, no final newline',
    ];
    const edit = changed(bridgeInInterfaces(main(before.join('\n')), { port: 'eth2', bridge: 'br-lan', mac: MAC }));
    expect(edit.after.split('\n')).toEqual([
      ...before.slice(0, 9),
      'iface eth2 inet manual',
      '\t\t# explains the MAC',
      '\t\thwaddress 02:00:00:00:00:07',
      '',
      'auto br-lan',
      'iface br-lan inet static',
      '\t\taddress 10.9.0.1/24 \\',
      '\t\t  ',
      '\t\tmtu 1400',
      ...bridgeLines('\t\t', 'eth2', 'br-lan').split('\n'),
      '# trailing comment, no final newline',
    ]);
    expect(edit.options).toEqual(['address 10.9.0.1/24', 'mtu 1400']);
  });

  it.each([
    ['eno1', DEBIAN_STATIC],
    ['eth0', DEBIAN_DHCP],
    ['enp3s0', DUAL_STACK],
  ])('writes CRLF lines into a CRLF file (%s)', (port, text) => {
    const crlf = (lf: string) => lf.replaceAll('\n', '\r\n');
    const bridgedLf = changed(bridged(main(text), port)).after;
    const bridgedCrlf = changed(bridged(main(crlf(text)), port)).after;
    expect(bridgedCrlf).toBe(crlf(bridgedLf));
    expect(changed(unbridgeInInterfaces(main(bridgedCrlf), { bridge: 'vmbr0' })).after).toBe(crlf(changed(unbridgeInInterfaces(main(bridgedLf), { bridge: 'vmbr0' })).after));
  });

  it('refuses to bridge its own output: the bridge exists', () => {
    const once = changed(bridged(main(DEBIAN_STATIC), 'eno1'));
    expect(refusal(bridged(main(once.after), 'eno1'))).toMatch(/already an "iface vmbr0" stanza/);
  });
});

describe('bridgeInInterfaces refuses', () => {
  const eth0 = (body: string) => main(`auto eth0\niface eth0 inet static\n  address 10.0.0.2/24\n${body}`);

  it.each([
    ['a NIC ifupdown does not configure', main('auto lo\niface lo inet loopback\n'), /ifupdown does not configure eth0: no "iface eth0" stanza/],
    [
      'stanzas in two files',
      [
        { path: INTERFACES, text: 'iface eth0 inet dhcp\n' },
        { path: '/etc/network/interfaces.d/v6', text: 'iface eth0 inet6 auto\n' },
      ],
      /eth0 is configured in two files, \/etc\/network\/interfaces and \/etc\/network\/interfaces.d\/v6/,
    ],
    ['a bridge stanza already there', eth0('iface vmbr0 inet manual\n  bridge_ports none\n'), /already an "iface vmbr0" stanza/],
    ['the bridge on an auto line', eth0('auto lo vmbr0\n'), /vmbr0 is already named on a "auto" line/],
    ['the bridge on an allow-hotplug line', eth0('allow-hotplug vmbr0\n'), /vmbr0 is already named on a "allow-hotplug" line/],
    ['the NIC in bridge_ports', eth0('iface br9 inet manual\n  bridge_ports eth1 eth0\n'), /eth0 is already a port of br9 \(bridge_ports in/],
    ['the NIC in bridge-ports', eth0('iface br9 inet manual\n  bridge-ports eth0\n'), /eth0 is already a port of br9 \(bridge-ports in/],
    ['the NIC in bond-slaves', eth0('iface bond0 inet manual\n  bond-slaves eth0 eth1\n'), /eth0 is already a port of bond0 \(bond-slaves/],
    ['the NIC in bond_slaves', eth0('iface bond0 inet manual\n  bond_slaves eth0\n'), /eth0 is already a port of bond0 \(bond_slaves/],
    ['a mapping by glob', eth0('mapping eth*\n  script /usr/local/sbin/map-scheme\n'), /mapping stanza in \/etc\/network\/interfaces maps eth0/],
    ['a mapping by map line', eth0('mapping hotplug\n  script echo\n  map eth0 home\n'), /mapping stanza/],
    ['an unsupported inet method', main('iface eth0 inet bootp\n'), /only carries the static, dhcp, manual methods, and "iface eth0 inet bootp" .* uses bootp/],
    ['loopback', main('iface eth0 inet loopback\n'), /uses loopback/],
    ['an unsupported inet6 method', main('iface eth0 inet dhcp\niface eth0 inet6 v4tunnel\n  endpoint 192.0.2.1\n'), /static, dhcp, manual, auto methods.* uses v4tunnel/],
    ['another address family', main('iface eth0 ipx static\n  frame 802.2\n'), /only carries inet and inet6 settings/],
    ['two inet stanzas', main('iface eth0 inet static\n  address 10.0.0.2/24\niface eth0 inet static\n  address 10.0.0.3/24\n'), /more than one inet stanza/],
    ['inherits', main('iface base inet static\n  mtu 9000\niface eth0 inet static inherits base\n  address 10.0.0.2/24\n'), /"inherits base" after its method/],
    ['a stanza inheriting from the NIC', eth0('iface eth9 inet static inherits eth0\n  address 10.0.0.9/24\n'), /inherits the options of eth0/],
    ['a VLAN on the NIC', eth0('iface eth0.10 inet static\n  address 10.10.0.2/24\n'), /eth0.10 .* is a VLAN on eth0/],
    ['a VLAN by vlan-raw-device', eth0('iface vlan10 inet manual\n  vlan-raw-device eth0\n'), /vlan10 .* is a VLAN on eth0/],
    ['a Wi-Fi client', eth0('  wpa-conf /etc/wpa_supplicant/wpa_supplicant.conf\n'), /eth0 is a Wi-Fi client \(wpa-conf\)/],
    ['no-auto-down', eth0('no-auto-down eth0\n'), /eth0 is named on a "no-auto-down" line/],
    ['two hwaddress lines', main('iface eth0 inet dhcp\n  hwaddress 02:00:00:00:00:01\niface eth0 inet6 auto\n  hwaddress 02:00:00:00:00:01\n'), /sets its hwaddress 2 times/],
    [
      'a file ifupdown cannot read',
      main('auto eth0\n  address 10.0.0.2/24\niface eth0 inet dhcp\n'),
      /cannot read its configuration: \/etc\/network\/interfaces:2: misplaced option "address"/,
    ],
    ['an option without value', eth0('  gateway\n'), /:4: option "gateway" has an empty value/],
  ])('%s', (_what, files, reason) => {
    expect(refusal(bridged(files, 'eth0'))).toMatch(reason);
  });

  it.each(['pre-up', 'up', 'post-up', 'down', 'pre-down', 'post-down'])('a %s command on the NIC', (hook) => {
    const reason = refusal(bridged(eth0(`  ${hook} ethtool -K eth0 gro off\n`), 'eth0'));
    expect(reason).toBe(`"iface eth0 inet static" in /etc/network/interfaces runs a command (${hook} ethtool -K eth0 gro off), which may assume the interface it runs for.`);
  });

  it.each([
    ['', 'vmbr0', MAC, /not an interface name \(1 to 15/],
    ['eth0', 'a-bridge-name-too-long', MAC, /not an interface name \(1 to 15/],
    ['eth/0', 'vmbr0', MAC, /no "\/", ":"/],
    ['eth0', 'vm br0', MAC, /printable ASCII without spaces/],
    ['eth0:1', 'vmbr0', MAC, /no "\/", ":"/],
    ['eth0', '..', MAC, /not an interface name/],
    ['eth0', 'vmbr\\', MAC, /, "\\" or "="/],
    ['eth0', 'eth0', MAC, /cannot have the name of its port/],
    ['all', 'vmbr0', MAC, /bridge_ports all would not name the NIC all/],
    ['eth0', 'vmbr0', '52:54:00:12:34:5G', /not a MAC address in the form/],
    ['eth0', 'vmbr0', '52:54:00:AB:34:56', /not a MAC address in the form/],
    ['eth0', 'vmbr0', '52-54-00-12-34-56', /not a MAC address in the form/],
    ['eth0', 'vmbr0', '01:00:5e:00:00:01', /multicast/],
    ['eth0', 'vmbr0', '00:00:00:00:00:00', /All zeros/],
  ])('port %j, bridge %j, MAC %j', (port, bridge, mac, reason) => {
    expect(refusal(bridgeInInterfaces(eth0(''), { port, bridge, mac }))).toMatch(reason);
  });
});
