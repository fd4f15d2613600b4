import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RootFs } from '../fs/root-fs';
import { makeTempRoot } from '../testing/fake-sysfs';
import { probeVfioUsers } from './vfio-users';

describe('processes holding VFIO groups', () => {
  it("finds /dev/vfio/<N> among a process's fds, by group, and ignores the container and other files", () => {
    const root = makeTempRoot('passthru-proc-');
    const proc = (pid: number, comm: string, fds: string[]) => {
      mkdirSync(`${root}/proc/${pid}/fd`, { recursive: true });
      writeFileSync(`${root}/proc/${pid}/comm`, `${comm}\n`);
      fds.forEach((target, i) => symlinkSync(target, `${root}/proc/${pid}/fd/${i}`));
    };
    proc(100, 'qemu-system-x86', ['/dev/null', '/dev/vfio/vfio', '/dev/vfio/12', '/dev/vfio/13']);
    proc(200, 'bash', ['/dev/pts/0']);
    proc(300, 'qemu-system-x86', ['/dev/vfio/12']);
    mkdirSync(`${root}/proc/self`, { recursive: true });
    const users = probeVfioUsers(new RootFs(root));
    expect([...users.keys()].sort()).toEqual([12, 13]);
    expect(users.get(12)).toEqual([
      { pid: 100, command: 'qemu-system-x86' },
      { pid: 300, command: 'qemu-system-x86' },
    ]);
    expect(users.get(13)).toEqual([{ pid: 100, command: 'qemu-system-x86' }]);
  });
});
