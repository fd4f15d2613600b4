import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempRoot } from './testing/fake-sysfs';
import { checkDestination, openDestination } from './snapshot-destination';

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('snapshot destinations', () => {
  it('refuses /proc, /sys and /dev, and anything resolving into them, creating nothing', () => {
    const dir = makeTempRoot('passthru-dest-');
    symlinkSync('/proc/self', join(dir, 'to-proc'));
    for (const dest of ['/proc/self/x', '/proc', '/sys/kernel/x', '/dev/x', '/dev/shm/../x', join(dir, 'to-proc', 'x')]) {
      expect(
        refusal(() => checkDestination(dest)),
        dest,
      ).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/on \/(proc|sys|dev)|filesystem the kernel makes up/) });
    }
  });

  it('creates a new destination itself, and pins it', () => {
    const dir = makeTempRoot('passthru-dest-');
    const d = openDestination(join(dir, 'a', 'b'));
    d.files.createFile('/x', 'y');
    expect(d.files.readText('/x')).toBe('y');
    d.cleanUp();
    expect(existsSync(join(dir, 'a'))).toBe(false); // both levels were made here, so both go
  });
});
