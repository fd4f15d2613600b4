import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostFs } from '../fs/host-fs';
import { readInterfacesFiles } from './interfaces-files';

/** A host with only these files (absolute path → text) and the directories above them; `links` are whole-path symlinks. */
function fakeFs(files: Record<string, string>, links: Record<string, string> = {}): HostFs & { reads: string[] } {
  const dirs = new Set(['/']);
  for (const path of [...Object.keys(files), ...Object.keys(links)]) {
    for (let d = posix.dirname(path); d !== '/'; d = posix.dirname(d)) dirs.add(d);
  }
  const resolve = (path: string) => {
    const normal = posix.normalize(path);
    return links[normal] ?? normal;
  };
  const reads: string[] = [];
  return {
    root: '/fake',
    reads,
    readText: (path) => {
      reads.push(path);
      return files[resolve(path)] ?? null;
    },
    readBytes: () => null,
    readLink: (path) => links[posix.normalize(path)] ?? null,
    realPath: (path) => {
      const real = resolve(path);
      return real in files || dirs.has(real) ? real : null;
    },
    list: (path) => {
      const dir = resolve(path);
      const names = [...Object.keys(files), ...Object.keys(links), ...dirs].filter((p) => p !== '/' && posix.dirname(p) === dir).map((p) => posix.basename(p));
      return [...new Set(names)].sort();
    },
    exists: (path) => resolve(path) in files || dirs.has(resolve(path)),
    isDirectory: (path) => dirs.has(resolve(path)),
    accessibleRw: () => null,
  };
}

const paths = (fs: HostFs) => readInterfacesFiles(fs).map((f) => f.path);

describe('readInterfacesFiles', () => {
  it('reads the interfaces file and the files its source lines name, depth first where each source line stands', () => {
    const fs = fakeFs({
      '/etc/network/interfaces': 'auto lo\nsource interfaces.d/*\nsource /etc/network/extra\niface lo inet loopback\n',
      '/etc/network/interfaces.d/b-wan': 'source ../nested/one\n',
      '/etc/network/interfaces.d/a-lan': 'iface eth0 inet dhcp\n',
      '/etc/network/interfaces.d/.hidden': 'iface eth9 inet dhcp\n',
      '/etc/network/interfaces.d/c.bak': 'iface eth8 inet dhcp\n',
      '/etc/network/nested/one': 'iface eth1 inet dhcp\n',
      '/etc/network/extra': 'iface eth2 inet dhcp\n',
    });
    expect(paths(fs)).toEqual([
      '/etc/network/interfaces',
      '/etc/network/interfaces.d/a-lan',
      '/etc/network/interfaces.d/b-wan',
      '/etc/network/nested/one',
      '/etc/network/interfaces.d/c.bak',
      '/etc/network/extra',
    ]);
    expect(readInterfacesFiles(fs)[1]).toEqual({ path: '/etc/network/interfaces.d/a-lan', text: 'iface eth0 inet dhcp\n' });
  });

  it('reads, for source-directory, only files named with letters, digits, _ and - , sorted', () => {
    const fs = fakeFs({
      '/etc/network/interfaces': 'source-directory interfaces.d\nsource-dir /srv/net*\n',
      '/etc/network/interfaces.d/50-lan': '',
      '/etc/network/interfaces.d/10_wan': '',
      '/etc/network/interfaces.d/lan.dpkg-old': '',
      '/etc/network/interfaces.d/.swp': '',
      '/srv/net1/x': '',
      '/srv/net2/y': '',
    });
    expect(paths(fs)).toEqual(['/etc/network/interfaces', '/etc/network/interfaces.d/10_wan', '/etc/network/interfaces.d/50-lan', '/srv/net1/x', '/srv/net2/y']);
  });

  it('takes a relative path from the directory of the file holding the source line, and several words as several files', () => {
    const fs = fakeFs({
      '/etc/network/interfaces': 'source sub/inner\n',
      '/etc/network/sub/inner': 'source deeper  ../other\n',
      '/etc/network/sub/deeper': '',
      '/etc/network/other': '',
    });
    expect(paths(fs)).toEqual(['/etc/network/interfaces', '/etc/network/sub/inner', '/etc/network/sub/deeper', '/etc/network/other']);
  });

  it('skips missing files, directories and globs that match nothing, and reads nothing when the interfaces file is missing', () => {
    const fs = fakeFs({ '/etc/network/interfaces': 'source missing\nsource interfaces.d/*\nsource /etc/network\n# source /etc/commented\n', '/etc/commented': '' });
    expect(paths(fs)).toEqual(['/etc/network/interfaces']);
    expect(paths(fakeFs({ '/etc/other': '' }))).toEqual([]);
  });

  it('reads a file once however it is reached, so cycles end', () => {
    const fs = fakeFs(
      {
        '/etc/network/interfaces': 'source interfaces\nsource a\nsource ./a\nsource /etc/network/link-to-a\n',
        '/etc/network/a': 'source /etc/network/interfaces\nsource a\n',
      },
      { '/etc/network/link-to-a': '/etc/network/a' },
    );
    expect(paths(fs)).toEqual(['/etc/network/interfaces', '/etc/network/a']);
  });

  it('stops at a bounded depth and number of files', () => {
    const chain: Record<string, string> = { '/etc/network/interfaces': 'source f0\n' };
    for (let i = 0; i < 40; i++) chain[`/etc/network/f${i}`] = `source f${i + 1}\n`;
    expect(paths(fakeFs(chain)).length).toBe(17);
    const wide: Record<string, string> = { '/etc/network/interfaces': 'source d/*\n' };
    for (let i = 0; i < 400; i++) wide[`/etc/network/d/f${String(i).padStart(3, '0')}`] = '';
    expect(paths(fakeFs(wide)).length).toBe(256);
  });

  it('reads a source line continued with a backslash, and not one inside a comment', () => {
    const fs = fakeFs({ '/etc/network/interfaces': 'source a \\\n b\n  # source c\n', '/etc/network/a': '', '/etc/network/b': '', '/etc/network/c': '' });
    expect(paths(fs)).toEqual(['/etc/network/interfaces', '/etc/network/a', '/etc/network/b']);
  });
});
