import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RootFs } from '../fs/root-fs';
import { makeTempRoot, TreeWriter } from '../testing/fake-sysfs';
import { ChangeWatcher } from './change-watcher';

describe('ChangeWatcher', () => {
  it('a tree that turns to hold a device node where it reads: a change is reported, nothing is thrown from the timer', async () => {
    const root = makeTempRoot('passthru-watch-');
    new TreeWriter(root).file('/sys/class/net/eth0/operstate', 'up\n');
    let changes = 0;
    const watcher = new ChangeWatcher(10, () => changes++);
    watcher.start(new RootFs(root));
    const operstate = path.join(root, 'sys/class/net/eth0/operstate');
    fs.rmSync(operstate);
    execFileSync('mknod', [operstate, 'c', '1', '3']);
    await new Promise((r) => setTimeout(r, 100));
    watcher.stop();
    expect(changes).toBeGreaterThan(0);
  });
});
