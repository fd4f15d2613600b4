import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempRoot } from '../testing/fake-sysfs';
import { hostPathInside, SysfsWriteError, writeSysfs } from './write-sysfs';

describe('writeSysfs', () => {
  it('writes through a child process into root+path', async () => {
    const root = makeTempRoot();
    fs.mkdirSync(path.join(root, 'sys/x'), { recursive: true });
    fs.writeFileSync(path.join(root, 'sys/x/driver_override'), '');
    await writeSysfs(root, '/sys/x/driver_override', 'vfio-pci');
    expect(fs.readFileSync(path.join(root, 'sys/x/driver_override'), 'utf8')).toBe('vfio-pci');
  });

  it('reports errno with plain words', async () => {
    const root = makeTempRoot();
    const err = await writeSysfs(root, '/sys/missing/dir/file', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SysfsWriteError);
    expect((err as SysfsWriteError).errno).toBe('ENOENT');
    expect((err as Error).message).toMatch(/does not exist/);
  });

  it('kills a write that hangs and reports the timeout', async () => {
    const root = makeTempRoot();
    // Opening a FIFO for writing blocks until a reader appears: a stand-in for a hung unbind.
    execFileSync('mkfifo', [path.join(root, 'unbind')]);
    const started = Date.now();
    const err = await writeSysfs(root, '/unbind', '0000:01:00.0', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect((err as SysfsWriteError).errno).toBe('ETIMEDOUT');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses paths that leave the root', () => {
    expect(() => hostPathInside('/tmp/r', '/sys/../../etc/passwd')).toThrow(/plain absolute/);
    expect(() => hostPathInside('/tmp/r', 'sys/x')).toThrow(/plain absolute/);
    expect(hostPathInside('/tmp/r', '/sys/x')).toBe('/tmp/r/sys/x');
    expect(hostPathInside('/', '/sys/x')).toBe('/sys/x');
  });
});
