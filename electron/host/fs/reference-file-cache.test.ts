import nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isReferenceFile } from '../probes/reference-files';
import type { HostFs } from './host-fs';
import { ReferenceFileCache } from './reference-file-cache';
import { RootFs } from './root-fs';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => nodeFs.rmSync(r, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const root = nodeFs.mkdtempSync(path.join(tmpdir(), 'passthru-refcache-'));
  roots.push(root);
  for (const [p, text] of Object.entries(files)) {
    nodeFs.mkdirSync(path.join(root, path.dirname(p)), { recursive: true });
    nodeFs.writeFileSync(path.join(root, p), text);
  }
  return root;
}

/** A RootFs that counts how often each path's text was really read. */
function counting(root: string, reads: Map<string, number>): HostFs {
  const fs = new RootFs(root);
  const readText = fs.readText.bind(fs);
  fs.readText = (p: string) => (reads.set(p, (reads.get(p) ?? 0) + 1), readText(p));
  return fs;
}

const IDS = '/usr/share/hwdata/pci.ids';
const ALIAS = '/lib/modules/6.1.0-57-amd64/modules.alias';

describe('the reference files kept between scans', () => {
  it('are the pci.ids and modules.alias files, nothing the host changes by itself', () => {
    expect(isReferenceFile(IDS)).toBe(true);
    expect(isReferenceFile('/usr/share/misc/pci.ids')).toBe(true);
    expect(isReferenceFile(ALIAS)).toBe(true);
    expect(isReferenceFile('/usr/lib/modules/6.1.0-57-amd64/modules.alias')).toBe(true);
    expect(isReferenceFile('/lib/modules/6.1.0-57-amd64/modules.dep')).toBe(true);
    expect(isReferenceFile('/lib/modules/6.1.0-57-amd64/modules.builtin')).toBe(true);
    expect(isReferenceFile('/lib/modules/6.1.0-57-amd64/modules.order')).toBe(false);
    expect(isReferenceFile('/sys/bus/pci/devices/0000:01:00.0/uevent')).toBe(false);
    expect(isReferenceFile('/lib/modules/x/../../etc/modules.alias')).toBe(false);
  });

  it('reads a reference file once while it stays the same, and again once it changes; other files every time', () => {
    const root = tree({ [IDS]: '8086  Intel Corporation\n', [ALIAS]: 'alias pci:v00008086d* igb\n', '/sys/x': 'a' });
    const cache = new ReferenceFileCache(isReferenceFile);
    const reads = new Map<string, number>();
    for (let i = 0; i < 3; i++) {
      const fs = cache.wrap(counting(root, reads));
      expect(fs.readText(IDS)).toBe('8086  Intel Corporation\n');
      expect(fs.readText(ALIAS)).toBe('alias pci:v00008086d* igb\n');
      expect(fs.readText('/sys/x')).toBe('a');
    }
    expect(Object.fromEntries(reads)).toEqual({ [IDS]: 1, [ALIAS]: 1, '/sys/x': 3 });

    // An upgrade replaces the file (a new inode, as dpkg does): read again.
    const next = path.join(root, `${IDS}.dpkg-new`);
    nodeFs.writeFileSync(next, '8086  Intel Corporation\n10de  NVIDIA Corporation\n');
    nodeFs.renameSync(next, path.join(root, IDS));
    expect(cache.wrap(counting(root, reads)).readText(IDS)).toContain('NVIDIA');
    expect(reads.get(IDS)).toBe(2);
    // Rewritten in place to the same size: its modification time tells.
    nodeFs.writeFileSync(path.join(root, ALIAS), 'alias pci:v00008086d* ixg\n');
    nodeFs.utimesSync(path.join(root, ALIAS), new Date(), new Date(Date.now() + 5000));
    expect(cache.wrap(counting(root, reads)).readText(ALIAS)).toBe('alias pci:v00008086d* ixg\n');
    // Gone: gone, not remembered.
    nodeFs.rmSync(path.join(root, IDS));
    expect(cache.wrap(counting(root, reads)).readText(IDS)).toBeNull();
  });

  it('keeps each root apart, and follows the root’s rules for links (one leading out is missing)', () => {
    const a = tree({ [IDS]: 'A\n' });
    const b = tree({ [IDS]: 'B\n' });
    const outside = tree({ 'pci.ids': 'OUTSIDE\n' });
    const escaping = tree({});
    nodeFs.mkdirSync(path.join(escaping, 'usr/share/hwdata'), { recursive: true });
    nodeFs.symlinkSync(path.join(outside, 'pci.ids'), path.join(escaping, IDS));
    const cache = new ReferenceFileCache(isReferenceFile);
    expect(cache.wrap(new RootFs(a)).readText(IDS)).toBe('A\n');
    expect(cache.wrap(new RootFs(b)).readText(IDS)).toBe('B\n');
    expect(cache.wrap(new RootFs(escaping)).readText(IDS)).toBeNull();
  });
});
