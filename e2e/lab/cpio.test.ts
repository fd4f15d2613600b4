import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCpio } from './cpio';
import { resolveModules } from './initramfs';

describe('writeCpio', () => {
  it('writes a newc archive that cpio(1) unpacks', () => {
    const archive = writeCpio([
      { kind: 'dir', path: 'bin' },
      { kind: 'file', path: 'bin/hello', data: Buffer.from('hi\n'), mode: 0o755 },
      { kind: 'symlink', path: 'bin/sh', target: 'hello' },
    ]);
    expect(archive.length % 512).toBe(0);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cpio-test-'));
    try {
      writeFileSync(path.join(dir, 'a.cpio'), archive);
      let listing: string;
      try {
        listing = execFileSync('cpio', ['-it', '--quiet', '-F', path.join(dir, 'a.cpio')], { encoding: 'utf8' });
      } catch {
        return; // cpio(1) not installed: the format is still checked by every lab boot
      }
      expect(listing.trim().split('\n')).toEqual(['bin', 'bin/hello', 'bin/sh']);
      execFileSync('cpio', ['-id', '--quiet', '-F', path.join(dir, 'a.cpio')], { cwd: dir });
      expect(readFileSync(path.join(dir, 'bin/hello'), 'utf8')).toBe('hi\n');
      expect(readlinkSync(path.join(dir, 'bin/sh'))).toBe('hello');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('resolveModules', () => {
  it('returns the dependency closure in load order', () => {
    const dep = [
      'kernel/fs/9p/9p.ko.xz: kernel/net/9p/9pnet.ko.xz kernel/fs/fscache/fscache.ko.xz kernel/fs/netfs/netfs.ko.xz',
      'kernel/net/9p/9pnet.ko.xz:',
      'kernel/fs/fscache/fscache.ko.xz: kernel/fs/netfs/netfs.ko.xz',
      'kernel/fs/netfs/netfs.ko.xz:',
      'kernel/fs/overlayfs/overlay.ko.xz:',
    ].join('\n');
    expect(resolveModules(dep, ['9p', 'overlay', 'builtin_thing']).map((m) => m.name)).toEqual(['9pnet', 'netfs', 'fscache', '9p', 'overlay']);
  });
});
