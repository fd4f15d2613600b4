/** Which stack manages an interface, from each stack's own files — and nothing claimed without one. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RootFs } from '../fs/root-fs';
import { makeTempRoot } from '../testing/fake-sysfs';
import { readInterfacesFiles } from './ifupdown-bridge';
import { detectNetworkStack } from './network-stack';

function tree(files: Record<string, string>) {
  const root = makeTempRoot('passthru-stack-');
  for (const [p, text] of Object.entries({ '/sys/class/net/eno1/ifindex': '2\n', ...files })) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text);
  }
  const hostFs = new RootFs(root);
  return detectNetworkStack(hostFs, 'eno1', readInterfacesFiles(hostFs));
}

describe('detectNetworkStack', () => {
  it('ifupdown: a stanza for the interface, in the main file or one it sources', () => {
    expect(tree({ '/etc/network/interfaces': 'auto eno1\niface eno1 inet dhcp\n' })).toMatchObject({
      stack: 'ifupdown',
      evidence: expect.stringContaining('iface eno1 inet dhcp'),
    });
    expect(tree({ '/etc/network/interfaces': 'source interfaces.d/*\n', '/etc/network/interfaces.d/eno1': 'iface eno1 inet static\n  address 192.0.2.2/24\n' })).toMatchObject({
      stack: 'ifupdown',
      evidence: expect.stringContaining('/etc/network/interfaces.d/eno1'),
    });
  });

  it('netplan first: it renders for networkd or NetworkManager, which are then not to be edited', () => {
    const found = tree({
      '/etc/netplan/01-netcfg.yaml': 'network:\n  version: 2\n  ethernets:\n    eno1:\n      dhcp4: true\n',
      '/run/systemd/netif/links/2': 'ADMIN_STATE=configured\nNETWORK_FILE=/run/systemd/network/10-netplan-eno1.network\n',
    });
    expect(found).toMatchObject({ stack: 'netplan', evidence: '/etc/netplan/01-netcfg.yaml configures eno1.' });
  });

  it('systemd-networkd and NetworkManager from their runtime state, NM saying whether it manages the device', () => {
    expect(tree({ '/run/systemd/netif/links/2': 'ADMIN_STATE=configured\nNETWORK_FILE=/etc/systemd/network/20-wired.network\n' })).toMatchObject({ stack: 'systemd-networkd' });
    expect(tree({ '/run/systemd/netif/links/2': 'ADMIN_STATE=unmanaged\n' })).toMatchObject({ stack: 'none' });
    expect(tree({ '/run/NetworkManager/devices/2': '[device]\nmanaged=true\n' })).toMatchObject({ stack: 'NetworkManager', managed: true });
    expect(tree({ '/run/NetworkManager/devices/2': '[device]\nmanaged=false\n' })).toMatchObject({
      stack: 'NetworkManager',
      managed: false,
      evidence: expect.stringContaining('does not manage'),
    });
  });

  it('none, said so, when no stack claims it (a stanza for another interface is not one for this)', () => {
    expect(tree({ '/etc/network/interfaces': 'iface eno10 inet dhcp\n' })).toMatchObject({ stack: 'none', evidence: expect.stringContaining('Neither') });
  });
});
