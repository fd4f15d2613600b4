import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassthruError } from '#shared/errors';
import { TreeWriter } from '../testing/fake-sysfs';
import { RootFs } from './root-fs';

let base: string;
let root: string;
let w: TreeWriter;

beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'passthru-rootfs-'));
  root = path.join(base, 'root');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(base, 'secret'), 'outside the root\n');
  w = new TreeWriter(root);
  w.file('/sys/devices/pci0000:00/0000:00:02.0/vendor', '0x8086\n');
  w.file('/sys/devices/pci0000:00/0000:00:02.0/uevent', 'PCI_ID=8086:10C9\n');
  w.link('/sys/bus/pci/devices/0000:00:02.0', '../../../devices/pci0000:00/0000:00:02.0');
  w.link('/sys/devices/pci0000:00/0000:00:02.0/driver', '../../../bus/pci/drivers/igb');
  w.dir('/sys/bus/pci/drivers/igb');
  w.file('/usr/share/misc/pci.ids', '8086  Intel Corporation\n');
  w.link('/usr/share/hwdata/pci.ids', '/usr/share/misc/pci.ids'); // absolute: chroot-style
  w.link('/escape-rel', '../../secret');
  w.link('/escape-abs-dir', '/');
  w.link('/etc-link', path.join(base)); // absolute host path: must not leave the root
  w.link('/loop-a', 'loop-b');
  w.link('/loop-b', 'loop-a');
  w.file('/sys/big', 'x'.repeat(100_000));
  w.file('/proc/big', 'y'.repeat(200_000));
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('RootFs on a tree', () => {
  it('reads through the relative kernel links', () => {
    const r = new RootFs(root);
    expect(r.root).toBe(fs.realpathSync(root));
    expect(r.readText('/sys/bus/pci/devices/0000:00:02.0/vendor')).toBe('0x8086\n');
    expect(r.readLink('/sys/bus/pci/devices/0000:00:02.0')).toBe('../../../devices/pci0000:00/0000:00:02.0');
    expect(r.readLink('/sys/bus/pci/devices/0000:00:02.0/driver')).toBe('../../../bus/pci/drivers/igb');
    expect(r.realPath('/sys/bus/pci/devices/0000:00:02.0/driver')).toBe('/sys/bus/pci/drivers/igb');
    expect(r.realPath('/sys/bus/pci/devices/0000:00:02.0')).toBe('/sys/devices/pci0000:00/0000:00:02.0');
    expect(r.list('/sys/bus/pci/devices/0000:00:02.0')).toEqual(['driver', 'uevent', 'vendor']);
    expect(r.exists('/sys/bus/pci/devices/0000:00:02.0/driver')).toBe(true);
    expect(r.isDirectory('/sys/bus/pci/devices/0000:00:02.0')).toBe(true);
    expect(r.isDirectory('/sys/bus/pci/devices/0000:00:02.0/vendor')).toBe(false);
    expect(r.accessibleRw('/sys/big')).toBeNull();
  });

  it('answers missing things with null, [] and false', () => {
    const r = new RootFs(root);
    expect(r.readText('/nope')).toBeNull();
    expect(r.readText('/sys')).toBeNull(); // a directory
    expect(r.readLink('/sys/devices')).toBeNull(); // not a link
    expect(r.realPath('/nope')).toBeNull();
    expect(r.list('/nope')).toEqual([]);
    expect(r.exists('/nope')).toBe(false);
    expect(r.isDirectory('/nope')).toBe(false);
    expect(r.readText('relative/path')).toBeNull();
  });

  it('resolves absolute links inside the root, like a chroot', () => {
    const r = new RootFs(root);
    expect(r.readText('/usr/share/hwdata/pci.ids')).toBe('8086  Intel Corporation\n');
    expect(r.realPath('/usr/share/hwdata/pci.ids')).toBe('/usr/share/misc/pci.ids');
    expect(r.list('/escape-abs-dir/usr/share')).toEqual(['hwdata', 'misc']);
  });

  it('resolves `..` after a symlinked directory physically, as the kernel does', () => {
    w.file('/phys/devices/pci0/dev1/attr', 'one\n');
    w.file('/phys/devices/pci0/dev2/attr', 'two\n');
    w.link('/phys/class/dev1', '../devices/pci0/dev1');
    w.link('/phys/up', 'class/dev1/../dev2'); // `..` of the link's target, not of /phys/class
    const r = new RootFs(root);
    expect(r.readText('/phys/class/dev1/attr')).toBe('one\n');
    expect(r.realPath('/phys/up')).toBe('/phys/devices/pci0/dev2');
    expect(r.readText('/phys/up/attr')).toBe('two\n');
    expect(r.list('/phys/up')).toEqual(['attr']);
    expect(r.exists('/phys/class/dev1/../dev2')).toBe(false); // a path's own `..` is lexical
  });

  it('never reads outside the root', () => {
    const r = new RootFs(root);
    expect(r.readText('/escape-rel')).toBeNull();
    expect(r.realPath('/escape-rel')).toBeNull();
    expect(r.exists('/escape-rel')).toBe(false);
    expect(r.readText('/../secret')).toBeNull();
    expect(r.readText('/../../secret')).toBeNull();
    expect(r.list('/etc-link')).toEqual([]);
    expect(r.readText('/etc-link/secret')).toBeNull();
    expect(r.readText('/loop-a')).toBeNull();
    expect(r.realPath('/loop-a')).toBeNull();
  });

  it('reads big files whole, in sysfs and elsewhere', () => {
    const r = new RootFs(root);
    expect(r.readText('/sys/big')?.length).toBe(100_000);
    expect(r.readText('/proc/big')?.length).toBe(200_000);
  });

  it('notices a directory that disappeared after it was cached', () => {
    const r = new RootFs(root);
    w.file('/tmpdev/a/attr', '1\n');
    expect(r.readText('/tmpdev/a/attr')).toBe('1\n');
    fs.rmSync(path.join(root, 'tmpdev/a'), { recursive: true });
    expect(r.readText('/tmpdev/a/attr')).toBeNull();
    w.file('/tmpdev/a/attr', '2\n');
    expect(r.readText('/tmpdev/a/attr')).toBe('2\n');
  });
});

describe('RootFs on a hostile tree', () => {
  it('refuses a device node, directly or through a link, without opening it', () => {
    // A character device like /dev/null (1:3): harmless here, but a tree's node could be any driver's.
    execFileSync('mknod', [path.join(root, 'sys/devnode'), 'c', '1', '3']);
    w.link('/sys/to-devnode', 'devnode');
    const r = new RootFs(root);
    for (const p of ['/sys/devnode', '/sys/to-devnode']) {
      expect(() => r.readText(p)).toThrow(PassthruError);
      expect(() => r.readText(p)).toThrow(/sys\/devnode is a character device, which Passthru does not open/);
    }
    expect(r.exists('/sys/devnode')).toBe(true); // seen, just not opened
  });

  it('refuses a file beyond 16 MiB without reading it (a sparse one here)', () => {
    const fd = fs.openSync(path.join(root, 'usr/share/misc/huge.ids'), 'w');
    fs.ftruncateSync(fd, 17 * 1024 * 1024);
    fs.closeSync(fd);
    const err = (() => {
      try {
        new RootFs(root).readText('/usr/share/misc/huge.ids');
      } catch (e) {
        return e as PassthruError;
      }
      return null;
    })();
    expect(err).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/huge\.ids is larger than 16 MiB/) });
  });
});

describe('RootFs on the live host', () => {
  const live = new RootFs('/');

  it('reads procfs and sysfs directly', () => {
    expect(live.root).toBe('/');
    expect(live.readText('/proc/sys/kernel/osrelease')?.trim()).toBe(os.release());
    expect(live.list('/sys/bus/pci/devices').length).toBeGreaterThan(0);
    expect(live.readText('/proc/cpuinfo')?.length).toBeGreaterThan(100);
  });

  it('tells whether the process may open a path read-write', () => {
    expect(live.accessibleRw('/dev/null')).toBe(true);
    expect(live.accessibleRw('/nonexistent-device')).toBe(false);
  });
});
