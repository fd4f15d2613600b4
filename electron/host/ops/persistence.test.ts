import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RootFs } from '../fs/root-fs';
import { buildFakeHost, labHostSpec } from '../testing/fake-sysfs';
import type { OpContext } from './op-context';
import { OPS } from './index';

const A = '0000:01:10.0';
const files = (a: string) => [
  { path: `/etc/udev/rules.d/90-passthru-${a}.rules`, content: `ACTION=="add", KERNEL=="${a}", ATTR{driver_override}="vfio-pci"\n` },
  { path: '/etc/modules-load.d/passthru-vfio-pci.conf', content: 'vfio-pci\n' },
];

function ctx(root: string, pf = files): OpContext {
  return {
    root,
    fs: new RootFs(root),
    runCommand: async () => {
      throw new Error('no commands');
    },
    originalDrivers: [],
    persistenceFiles: pf,
  };
}

describe('persistence ops', () => {
  it('write atomically, verify, remove exactly what was written', async () => {
    const root = buildFakeHost(labHostSpec());
    const c = ctx(root);
    OPS.validate({ verb: 'write-persistence', address: A, driver: 'vfio-pci' }, c);
    await OPS.run({ verb: 'write-persistence', address: A, driver: 'vfio-pci' }, c);
    expect(await OPS.verify({ verb: 'write-persistence', address: A, driver: 'vfio-pci' }, c)).toBeNull();
    expect(fs.readdirSync(path.join(root, 'etc/udev/rules.d'))).toEqual([`90-passthru-${A}.rules`]);
    fs.writeFileSync(path.join(root, 'etc/udev/rules.d/10-user.rules'), 'keep me\n');
    await OPS.run({ verb: 'remove-persistence', address: A }, c);
    expect(await OPS.verify({ verb: 'remove-persistence', address: A }, c)).toBeNull();
    expect(fs.readdirSync(path.join(root, 'etc/udev/rules.d'))).toEqual(['10-user.rules']);
  });

  it('keeps the shared modules-load file while another device is still persisted', async () => {
    const root = buildFakeHost(labHostSpec());
    const c = ctx(root);
    await OPS.run({ verb: 'write-persistence', address: A, driver: 'vfio-pci' }, c);
    await OPS.run({ verb: 'write-persistence', address: '0000:01:00.0', driver: 'vfio-pci' }, c);
    await OPS.run({ verb: 'remove-persistence', address: A }, c);
    expect(await OPS.verify({ verb: 'remove-persistence', address: A }, c)).toBeNull();
    expect(fs.existsSync(path.join(root, 'etc/modules-load.d/passthru-vfio-pci.conf'))).toBe(true);
    await OPS.run({ verb: 'remove-persistence', address: '0000:01:00.0' }, c);
    expect(fs.readdirSync(path.join(root, 'etc/modules-load.d'))).toEqual([]);
  });

  it('leaves a file someone edited, and refuses paths outside the allowed directories', async () => {
    const root = buildFakeHost(labHostSpec());
    const c = ctx(root);
    await OPS.run({ verb: 'write-persistence', address: A, driver: 'vfio-pci' }, c);
    fs.appendFileSync(path.join(root, `etc/udev/rules.d/90-passthru-${A}.rules`), '# edited\n');
    await expect(OPS.run({ verb: 'remove-persistence', address: A }, c)).rejects.toThrow(/changed by someone else/);
    const evil = ctx(root, () => [{ path: '/etc/udev/rules.d/../../passwd', content: 'x' }]);
    expect(() => OPS.validate({ verb: 'write-persistence', address: A, driver: 'vfio-pci' }, evil)).toThrow(/allowed directory/);
  });
});
