import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PassthruError } from '#shared/errors';
import { RootFs } from '../fs/root-fs';
import { makeTempRoot } from '../testing/fake-sysfs';
import { ConfinedFs } from './confined-fs';
import { outsideState, hostileBase, type HostileBase } from '../testing/hostile-tree';

const bases: HostileBase[] = [];
afterEach(() => {
  for (const b of bases.splice(0)) b.dispose();
});

function base(): HostileBase {
  const b = hostileBase();
  bases.push(b);
  return b;
}

function refusal(fn: () => unknown): PassthruError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PassthruError);
    return err as PassthruError;
  }
  throw new Error('expected a refusal');
}

describe('ConfinedFs: ordinary trees', () => {
  it('creates, replaces, reads, links, lists, renames, chowns and removes inside the root', () => {
    const { root } = base();
    const c = new ConfinedFs(root);
    c.writeFile('/etc/udev/rules.d/90-x.rules', 'one\n');
    expect(fs.readFileSync(path.join(root, 'etc/udev/rules.d/90-x.rules'), 'utf8')).toBe('one\n');
    c.writeFile('/etc/udev/rules.d/90-x.rules', 'two\n', { mode: 0o600 });
    expect(c.readText('/etc/udev/rules.d/90-x.rules')).toBe('two\n');
    expect(fs.statSync(path.join(root, 'etc/udev/rules.d/90-x.rules')).mode & 0o777).toBe(0o600);
    expect(c.list('/etc/udev/rules.d')).toEqual(['90-x.rules']); // no temp file left behind
    c.mkdir('/var/lib/passthru/b', 0o700);
    expect(fs.statSync(path.join(root, 'var/lib/passthru/b')).mode & 0o777).toBe(0o700);
    // Links resolve as in a chroot: relative from their directory, absolute from the root.
    c.symlink('udev/rules.d', '/etc/rel');
    c.symlink('/etc/udev', '/etc/abs');
    expect(c.readText('/etc/rel/90-x.rules')).toBe('two\n');
    expect(c.readText('/etc/abs/rules.d/90-x.rules')).toBe('two\n');
    c.writeFile('/etc/abs/rules.d/91-y.rules', 'y\n');
    expect(new RootFs(root).readText('/etc/udev/rules.d/91-y.rules')).toBe('y\n');
    c.rename('/etc/udev/rules.d/91-y.rules', '/etc/udev/rules.d/92-y.rules');
    expect(c.list('/etc/udev/rules.d')).toEqual(['90-x.rules', '92-y.rules']);
    c.chown('/etc/rel/90-x.rules', 4321, 4321);
    expect(fs.statSync(path.join(root, 'etc/udev/rules.d/90-x.rules')).uid).toBe(4321);
    expect(c.unlink('/etc/rel')).toBe(true); // the link itself, not the directory
    expect(fs.existsSync(path.join(root, 'etc/udev/rules.d/90-x.rules'))).toBe(true);
    expect(c.unlink('/etc/nothing')).toBe(false);
    expect(c.readFile('/no/such/file')).toBeNull();
    expect(c.stat('/etc/abs')?.isDirectory()).toBe(true);
    expect(c.hostPath('/etc/abs/rules.d')).toBe(path.join(root, 'etc/udev/rules.d'));
    expect(c.hostPath('/etc/abs/missing/x')).toBe(path.join(root, 'etc/udev/missing/x'));
    c.clear('/etc');
    expect(fs.readdirSync(path.join(root, 'etc'))).toEqual([]);
  });

  it('createFile never replaces anything', () => {
    const { root } = base();
    const c = new ConfinedFs(root);
    c.createFile('/a/b', 'x');
    expect(() => c.createFile('/a/b', 'y')).toThrow(/EEXIST/);
    expect(c.readText('/a/b')).toBe('x');
  });
});

describe('ConfinedFs: hostile trees', () => {
  /** Every component position of the path written, replaced by a link out of the root. */
  const target = '/etc/default/grub.d/90-passthru-iommu.cfg';
  const prefixes = ['/etc', '/etc/default', '/etc/default/grub.d', target];

  for (const kind of ['absolute', 'dotdot'] as const) {
    for (const at of prefixes) {
      it(`a link out of the root (${kind}) at ${at} never leads a write outside`, () => {
        const b = base();
        b.linkOut(at, kind, at === target ? 'file' : 'dir');
        const before = outsideState(b);
        const c = new ConfinedFs(b.root);
        for (const write of [
          () => c.writeFile(target, 'x'),
          () => c.createFile(target, 'x'),
          () => c.symlink('/anything', target),
          () => c.mkdir(`${target}.d`),
          () => c.chown(target, 4321, 4321),
          () => c.unlink(target),
          () => c.openForWrite(target),
        ]) {
          try {
            const fd = write();
            if (typeof fd === 'number') fs.closeSync(fd);
          } catch (err) {
            // Refused or failed: either is fine, as long as nothing outside changed.
            expect(err).toBeInstanceOf(Error);
          }
        }
        expect(outsideState(b)).toEqual(before);
      });
    }
  }

  it('says why: a link leading out, a loop, a link into nothing, a directory that is a file', () => {
    const b = base();
    const c = new ConfinedFs(b.root);
    b.linkOut('/etc/default', 'dotdot');
    expect(refusal(() => c.writeFile('/etc/default/grub', 'x')).message).toMatch(/etc\/default is a link to \.\.\/.*which leads out of/);
    fs.rmSync(path.join(b.root, 'etc/default'));
    fs.symlinkSync('/tmp/elsewhere', path.join(b.root, 'etc/default'));
    expect(refusal(() => c.writeFile('/etc/default/grub', 'x')).message).toMatch(/link to \/tmp\/elsewhere, which does not exist inside/);
    fs.symlinkSync('loop-b', path.join(b.root, 'loop-a'));
    fs.symlinkSync('loop-a', path.join(b.root, 'loop-b'));
    expect(refusal(() => c.writeFile('/loop-a/x', 'x')).message).toMatch(/loop of links/);
    fs.writeFileSync(path.join(b.root, 'file'), '');
    expect(refusal(() => c.writeFile('/file/x', 'x')).message).toMatch(/file is not a directory/);
    expect(c.readFile('/file/x')).toBeNull(); // reads answer "missing", as RootFs does
  });

  it('refuses a FIFO and a device node without opening them, and a hard-linked file', () => {
    const b = base();
    const c = new ConfinedFs(b.root);
    fs.mkdirSync(path.join(b.root, 'sys'), { recursive: true });
    execFileSync('mkfifo', [path.join(b.root, 'sys/fifo')]);
    execFileSync('mknod', [path.join(b.root, 'sys/null'), 'c', '1', '3']);
    const started = Date.now();
    expect(refusal(() => c.readFile('/sys/fifo')).message).toMatch(/sys\/fifo is a FIFO/);
    expect(refusal(() => c.openForWrite('/sys/fifo')).message).toMatch(/FIFO/);
    expect(refusal(() => c.readFile('/sys/null')).message).toMatch(/character device/);
    expect(Date.now() - started).toBeLessThan(2000);
    fs.linkSync(b.sentinel, path.join(b.root, 'sys/hard'));
    const before = outsideState(b);
    expect(refusal(() => c.openForWrite('/sys/hard')).message).toMatch(/hard link/);
    expect(refusal(() => c.chown('/sys/hard', 4321, 4321)).message).toMatch(/hard link/);
    expect(outsideState(b)).toEqual(before);
  });

  it('refuses to read a huge (sparse) file', () => {
    const b = base();
    const fd = fs.openSync(path.join(b.root, 'huge'), 'w');
    fs.ftruncateSync(fd, 64 * 1024 * 1024 * 1024);
    fs.closeSync(fd);
    expect(refusal(() => new ConfinedFs(b.root).readFile('/huge')).message).toMatch(/larger than 16 MiB/);
  });

  it('a directory swapped for a link while the write is under way: the write stays in the directory that was opened', () => {
    const b = base();
    fs.mkdirSync(path.join(b.root, 'etc/default'), { recursive: true });
    const before = outsideState(b);
    let swapped = false;
    const c = new ConfinedFs(b.root, {
      onDirOpen: (inside) => {
        if (inside !== '/etc/default' || swapped) return;
        swapped = true;
        fs.renameSync(path.join(b.root, 'etc/default'), path.join(b.root, 'etc/default.old'));
        fs.symlinkSync(b.outside, path.join(b.root, 'etc/default'));
      },
    });
    c.writeFile('/etc/default/grub.d/90-passthru-iommu.cfg', 'x');
    expect(swapped).toBe(true);
    expect(fs.readFileSync(path.join(b.root, 'etc/default.old/grub.d/90-passthru-iommu.cfg'), 'utf8')).toBe('x');
    expect(outsideState(b)).toEqual(before);
  });

  it('a file swapped for a link to the outside at the last moment is not followed out', () => {
    const b = base();
    fs.mkdirSync(path.join(b.root, 'sys/x'), { recursive: true });
    fs.writeFileSync(path.join(b.root, 'sys/x/unbind'), '');
    const before = outsideState(b);
    const c = new ConfinedFs(b.root, {
      onDirOpen: (inside) => {
        if (inside !== '/sys/x') return;
        fs.rmSync(path.join(b.root, 'sys/x/unbind'));
        fs.symlinkSync(b.sentinel, path.join(b.root, 'sys/x/unbind'));
      },
    });
    expect(() => c.openForWrite('/sys/x/unbind')).toThrow(/does not exist/);
    expect(outsideState(b)).toEqual(before);
  });

  it('the root swapped for a link after it was pinned: nothing more is written', () => {
    const b = base();
    const c = new ConfinedFs(b.root);
    c.writeFile('/a', 'x');
    fs.renameSync(b.root, `${b.root}.old`);
    fs.symlinkSync(b.outside, b.root);
    const before = outsideState(b);
    const err = (() => {
      try {
        c.writeFile('/a', 'y');
      } catch (e) {
        return e as PassthruError;
      }
      return null;
    })();
    expect(err).toMatchObject({ code: 'REFUSED', message: expect.stringMatching(/was replaced/) });
    expect(outsideState(b)).toEqual(before);
  });

  it('refuses a requested path that is not plain', () => {
    const c = new ConfinedFs(makeTempRoot());
    expect(() => c.writeFile('/etc/../../x', 'x')).toThrow(/not a plain absolute path/);
    expect(() => c.writeFile('etc/x', 'x')).toThrow(/not a plain absolute path/);
  });
});
