import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempRoot } from '../testing/fake-sysfs';
import { hostileBase, outsideState } from '../testing/hostile-tree';
import { SysfsWriteError, writeFdInChild, writeSysfs } from './write-sysfs';

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
    // A full pipe blocks the next write(2), as a hung unbind does: fill one through a
    // non-blocking descriptor, then hand the child a blocking one to the same FIFO.
    const fifo = path.join(root, 'unbind');
    execFileSync('mkfifo', [fifo]);
    const filler = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    const blocking = fs.openSync(fifo, fs.constants.O_RDWR);
    try {
      const chunk = Buffer.alloc(4096);
      for (;;) {
        try {
          fs.writeSync(filler, chunk);
        } catch {
          break; // EAGAIN: the pipe is full
        }
      }
      const started = Date.now();
      const err = await writeFdInChild(blocking, fifo, '0000:01:00.0', 300).catch((e: unknown) => e);
      expect((err as SysfsWriteError).errno).toBe('ETIMEDOUT');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      fs.closeSync(filler);
      fs.closeSync(blocking);
    }
  });

  it('refuses a FIFO or a device node at the attribute without opening it (no hang)', async () => {
    const root = makeTempRoot();
    execFileSync('mkfifo', [path.join(root, 'unbind')]);
    execFileSync('mknod', [path.join(root, 'bind'), 'c', '1', '3']);
    await expect(writeSysfs(root, '/unbind', '0000:01:00.0', { timeoutMs: 60_000 })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/unbind is a FIFO/),
    });
    await expect(writeSysfs(root, '/bind', '0000:01:00.0')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/character device/) });
  });

  it('never follows a link out of the root, wherever it sits on the path', async () => {
    for (const at of ['/sys', '/sys/bus/pci/drivers/igb', '/sys/bus/pci/drivers/igb/unbind']) {
      for (const kind of ['absolute', 'dotdot'] as const) {
        const b = hostileBase();
        try {
          fs.mkdirSync(path.join(b.root, 'sys/bus/pci/drivers/igb'), { recursive: true });
          fs.writeFileSync(path.join(b.root, 'sys/bus/pci/drivers/igb/unbind'), '');
          b.linkOut(at, kind, at.endsWith('/unbind') ? 'file' : 'dir');
          const before = outsideState(b);
          await writeSysfs(b.root, '/sys/bus/pci/drivers/igb/unbind', '0000:01:00.0').catch((e: unknown) => e);
          expect(outsideState(b), `${kind} link at ${at}`).toEqual(before);
        } finally {
          b.dispose();
        }
      }
    }
  });

  it('hands the test writer the resolved host path', async () => {
    const root = makeTempRoot();
    fs.mkdirSync(path.join(root, 'sys/devices/x'), { recursive: true });
    fs.mkdirSync(path.join(root, 'sys/bus'), { recursive: true });
    fs.symlinkSync('../devices/x', path.join(root, 'sys/bus/x'));
    const seen: string[] = [];
    await writeSysfs(root, '/sys/bus/x/driver_override', 'vfio-pci', { writer: async (p) => void seen.push(p) });
    expect(seen).toEqual([path.join(fs.realpathSync(root), 'sys/devices/x/driver_override')]);
  });
});
