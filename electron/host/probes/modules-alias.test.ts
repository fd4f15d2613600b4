import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostFs } from '../fs/host-fs';
import { RootFs } from '../fs/root-fs';
import { debianKernelRelease } from '../testing/debian-kernel';
import { buildFakeHost } from '../testing/fake-sysfs';
import { loadPciAliases, PciAliasIndex } from './modules-alias';
import { buildModalias } from './pci-devices';

/** The Debian kernel installed on this machine for the lab (no modules for the running one). */
const DEBIAN_KERNEL = debianKernelRelease();
const DEBIAN_MODULES = `/lib/modules/${DEBIAN_KERNEL}`;

describe('PciAliasIndex', () => {
  const index = new PciAliasIndex(
    [
      'alias usb:v*p*d*dc*dsc*dp*ic0Eisc01ip00in* uvcvideo',
      'alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb',
      'alias pci:v*d*sv*sd*bc02sc00i* generic_eth',
      'alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb',
      'alias pci:v0000808?d000010C9sv*sd*bc*sc*i* fuzzy',
      'alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci',
    ].join('\n'),
  );

  it('returns matching modules once each, in file order, across vendor and wildcard buckets', () => {
    const igb = buildModalias('8086', '10c9', '8086', 'a03c', '020000');
    expect(index.modulesFor(igb)).toEqual(['igb', 'generic_eth', 'fuzzy']);
    expect(index.modulesFor(buildModalias('1af4', '1041', '1af4', '1100', '020000'))).toEqual(['generic_eth', 'virtio_pci']);
    expect(index.modulesFor(buildModalias('1234', '1111', '0000', '0000', '030000'))).toEqual([]);
    expect(index.modulesFor('usb:v1234p5678')).toEqual([]);
  });
});

describe('modules.alias of the lab kernel (the installed Debian kernel)', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

  it(`is installed at ${DEBIAN_MODULES} on this machine`, () => {
    expect(fs.existsSync(`${DEBIAN_MODULES}/modules.alias`), `${DEBIAN_MODULES}/modules.alias is missing`).toBe(true);
  });

  it('maps the 82576 PF to igb and its VF to igbvf, through a root whose osrelease names that kernel', () => {
    const root = buildFakeHost({
      kernel: DEBIAN_KERNEL,
      moduleFiles: { 'modules.alias': fs.readFileSync(`${DEBIAN_MODULES}/modules.alias`, 'utf8') },
      devices: [],
    });
    roots.push(root);
    const index = loadPciAliases(new RootFs(root));
    expect(index).not.toBeNull();
    expect(index?.modulesFor(buildModalias('8086', '10c9', '8086', 'a03c', '020000'))).toEqual(['igb']);
    expect(index?.modulesFor(buildModalias('8086', '10ca', '8086', 'a03c', '020000'))).toEqual(['igbvf']);
    expect(index?.modulesFor(buildModalias('8086', '2922', '1af4', '1100', '010601'))).toEqual(['ahci']);
    expect(index?.modulesFor(buildModalias('144d', 'a808', '144d', 'a801', '010802'))).toEqual(['nvme']);
  });

  it('is null when the running kernel has no module directory', () => {
    const root = buildFakeHost({ kernel: '9.9.9-none', devices: [] });
    roots.push(root);
    expect(loadPciAliases(new RootFs(root))).toBeNull();
  });
});

describe('loadPciAliases between scans', () => {
  it('gives the same index while the text is the same one, and a new index for a new text', () => {
    let served = 'alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb\n';
    const fs = {
      readText: (p: string) => (p === '/lib/modules/6.1.0-57-amd64/modules.alias' ? served : p === '/proc/sys/kernel/osrelease' ? '6.1.0-57-amd64\n' : null),
      isDirectory: (p: string) => p === '/lib/modules/6.1.0-57-amd64',
    } as unknown as HostFs;
    const first = loadPciAliases(fs);
    expect(first?.modulesFor('pci:v00008086d000010C9sv00008086sd0000A03Cbc02sc00i00')).toEqual(['igb']);
    expect(loadPciAliases(fs)).toBe(first);
    served = 'alias pci:v00008086d000010C9sv*sd*bc*sc*i* igbx\n';
    expect(loadPciAliases(fs)).not.toBe(first);
    expect(loadPciAliases(fs)?.modulesFor('pci:v00008086d000010C9sv00008086sd0000A03Cbc02sc00i00')).toEqual(['igbx']);
  });
});
