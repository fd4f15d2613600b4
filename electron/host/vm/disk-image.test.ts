import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../exec/run-command';
import { createDiskImage } from './disk-image';

describe('createDiskImage (real qemu-img)', () => {
  it('creates a qcow2 of the asked size, keeps a comma in the name intact, never overwrites', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passthru-disk-'));
    const path = join(dir, 'web,1 -x.qcow2');
    await createDiskImage(runCommand, path, 3);
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', path], { encoding: 'utf8' })) as { format: string; 'virtual-size': number };
    expect(info).toMatchObject({ format: 'qcow2', 'virtual-size': 3 * 1024 ** 3 });
    await expect(createDiskImage(runCommand, path, 3)).rejects.toMatchObject({ code: 'REFUSED' });
    const other = join(dir, 'mine.img');
    writeFileSync(other, 'precious');
    await expect(createDiskImage(runCommand, other, 1)).rejects.toMatchObject({ code: 'REFUSED' });
    await expect(createDiskImage(runCommand, 'relative.qcow2', 1)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(createDiskImage(runCommand, join(dir, 'no/such/dir.qcow2'), 1)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(createDiskImage(runCommand, join(dir, 'zero.qcow2'), 0)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(existsSync(join(dir, 'zero.qcow2'))).toBe(false);
  });
});
