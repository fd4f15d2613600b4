/**
 * The edited files as ifupdown itself reads them: `ifquery` (ifupdown 0.8) parses each `after`
 * text and reports the interfaces brought up at boot and the options of the bridge and its
 * port. ifupdown is the oracle: without it the test fails and names the package, it never skips.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../exec/run-command';
import { DEBIAN_DHCP, DEBIAN_STATIC, DUAL_STACK, ONLY_INET6, PROXMOX } from '../testing/interfaces-samples';
import { bridgeInInterfaces, unbridgeInInterfaces, type IfupdownEdit } from './ifupdown-bridge';

const MAC = '52:54:00:12:34:56';
const IFQUERY = ['/usr/sbin/ifquery', '/sbin/ifquery'].find((p) => fs.existsSync(p)) ?? 'ifquery';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passthru-ifquery-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** Writes `text` under the temporary directory; its `source /etc/network/interfaces.d/*` is made relative, so this machine's own files stay out. */
function written(text: string, name = `interfaces-${++fileCount}`): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text.replace('source /etc/network/interfaces.d/*', 'source interfaces.d/*'));
  return file;
}

async function ifquery(...args: string[]): Promise<string> {
  try {
    return (await runCommand([IFQUERY, ...args], { timeoutMs: 10_000 })).stdout;
  } catch (error) {
    if (error instanceof Error && 'failure' in error && error.failure === 'not-found')
      throw new Error('ifquery is missing: install ifupdown (.ci/install-system-packages); this test must not be skipped.', { cause: error });
    throw error;
  }
}

/** `ifquery FILE IFACE` as name/value pairs, with `_` read as `-` in names (ifupdown's spelling varies by version). */
async function optionsOf(file: string, iface: string): Promise<Array<[string, string]>> {
  const out = await ifquery('-i', file, iface);
  return out
    .split('\n')
    .filter((l) => l.includes(': '))
    .map((l) => [l.slice(0, l.indexOf(': ')).replace(/_/g, '-'), l.slice(l.indexOf(': ') + 2)]);
}

function changed(edit: IfupdownEdit): string {
  if (!edit.ok) throw new Error(`refused: ${edit.reason}`);
  return edit.after;
}

const bridgeOptions = (port: string, bridge = 'vmbr0'): Array<[string, string]> => [
  ['bridge-ports', port],
  ['bridge-hw', MAC],
  ['bridge-stp', 'off'],
  ['bridge-fd', '0'],
  ['bridge-maxwait', '0'],
  ['up', `ip link set dev ${bridge} type bridge mcast_snooping 0`],
];

describe('ifupdown reads what Passthru writes', () => {
  it.each([
    [
      'a static NIC',
      DEBIAN_STATIC,
      'eno1',
      [
        ['address', '192.168.1.10'],
        ['netmask', '255.255.255.0'],
        ['gateway', '192.168.1.1'],
        ['dns-nameservers', '192.168.1.1 9.9.9.9'],
        ['dns-search', 'example.org'],
      ],
    ],
    ['a DHCP NIC', DEBIAN_DHCP, 'eth0', []],
    [
      'a dual-stack NIC',
      DUAL_STACK,
      'enp3s0',
      [
        ['address', '203.0.113.10'],
        ['gateway', '203.0.113.1'],
        ['mtu', '9000'],
        ['address', '2001:db8:10::10'],
        ['gateway', '2001:db8:10::1'],
      ],
    ],
    [
      'an IPv6-only NIC',
      ONLY_INET6,
      'eth0',
      [
        ['accept-ra', '2'],
        ['privext', '0'],
      ],
    ],
  ] as Array<[string, string, string, Array<[string, string]>]>)(
    '%s: the bridge comes up at boot with the NIC as its port and the NIC’s addresses',
    async (_what, text, port, addresses) => {
      const file = written(changed(bridgeInInterfaces([{ path: '/etc/network/interfaces', text }], { port, bridge: 'vmbr0', mac: MAC })));
      const atBoot = (await ifquery('-i', file, '--list')).split('\n').filter(Boolean);
      expect(atBoot).toContain('vmbr0');
      const hotplug = (await ifquery('-i', file, '--list', '--allow=hotplug')).split('\n').filter(Boolean);
      expect([...atBoot, ...hotplug]).toContain(port);
      const options = await optionsOf(file, 'vmbr0');
      for (const entry of [...addresses, ...bridgeOptions(port)]) expect(options).toContainEqual(entry);
      expect(await optionsOf(file, port)).toEqual([]);

      const restored = written(changed(unbridgeInInterfaces([{ path: '/etc/network/interfaces', text: fs.readFileSync(file, 'utf8') }], { bridge: 'vmbr0' })));
      expect((await ifquery('-i', restored, '--list')).split('\n')).not.toContain('vmbr0');
      const portOptions = await optionsOf(restored, port);
      for (const entry of addresses) expect(portOptions).toContainEqual(entry);
      expect(portOptions.map(([name]) => name).filter((n) => n.startsWith('bridge-'))).toEqual([]);
    },
  );

  it('reads the bridge from the file under interfaces.d that Passthru edited', async () => {
    const main = written('source interfaces.d/*\n\nauto lo\niface lo inet loopback\n', 'sourced/interfaces');
    const eno1 = { path: '/etc/network/interfaces.d/eno1', text: 'auto eno1\niface eno1 inet dhcp\n  hostname pve\n' };
    const edit = bridgeInInterfaces([{ path: '/etc/network/interfaces', text: fs.readFileSync(main, 'utf8') }, eno1], { port: 'eno1', bridge: 'vmbr0', mac: MAC });
    written(changed(edit), 'sourced/interfaces.d/eno1');
    expect((await ifquery('-i', main, '--list')).split('\n').filter(Boolean)).toEqual(['lo', 'eno1', 'vmbr0']);
    expect(await optionsOf(main, 'vmbr0')).toEqual([['hostname', 'pve'], ...bridgeOptions('eno1')]);
  });

  it("reads Proxmox's vmbr0 taken apart as its port with the bridge's address", async () => {
    const file = written(changed(unbridgeInInterfaces([{ path: '/etc/network/interfaces', text: PROXMOX }], { bridge: 'vmbr0' })));
    expect((await ifquery('-i', file, '--list')).split('\n').filter(Boolean)).toEqual(['lo', 'eno1']);
    expect(await optionsOf(file, 'eno1')).toEqual([
      ['address', '192.168.1.2'],
      ['gateway', '192.168.1.1'],
      ['broadcast', '192.168.1.255'],
      ['netmask', '255.255.255.0'],
    ]);
  });
});
