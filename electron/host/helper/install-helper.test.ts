/**
 * The pure parts of `passthru install-helper` (electron/host/helper/install-helper.ts): the
 * helper's `#!` line, and when the Node it names is not fit to run as root. The command itself,
 * writing files, is tested through the built CLI in electron/cli/cli-install-helper.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { interpreterWeakness, withInterpreter, type PathStat } from './install-helper';

describe("the helper's #! line", () => {
  it('names the given Node instead of the one it was built with, the rest untouched', () => {
    expect(withInterpreter('#!/usr/bin/node\n"use strict";\nmain();\n', '/opt/node-22/bin/node')).toBe('#!/opt/node-22/bin/node\n"use strict";\nmain();\n');
  });

  it('is added to a script without one', () => {
    expect(withInterpreter('main();\n', '/usr/bin/node')).toBe('#!/usr/bin/node\nmain();\n');
  });

  it('refuses a path the kernel would cut or split, or a relative one', () => {
    for (const bad of ['/home/me/my node/bin/node', 'node', `/${'n'.repeat(130)}`, '/usr/bin/node\n']) {
      expect(() => withInterpreter('#!/usr/bin/node\nx\n', bad), bad).toThrow(expect.objectContaining({ code: 'ENVIRONMENT' }));
    }
  });
});

describe('a Node fit to run as root', () => {
  const tree = (entries: Record<string, PathStat>) => (p: string) => {
    const st = entries[p];
    if (!st) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
    return st;
  };
  const rootDir = { uid: 0, mode: 0o40755 };
  const rootFile = { uid: 0, mode: 0o100755 };

  it('is root-owned and writable by root alone, and so is every directory above it', () => {
    expect(interpreterWeakness('/usr/bin/node', tree({ '/usr/bin/node': rootFile, '/usr/bin': rootDir, '/usr': rootDir, '/': rootDir }))).toBeNull();
  });

  it("is not a user's Node, nor one in a user's directory", () => {
    expect(interpreterWeakness('/home/me/.nvm/node', tree({ '/home/me/.nvm/node': { uid: 1000, mode: 0o100755 } }))).toBe('/home/me/.nvm/node belongs to user 1000, not root');
    const inHome = tree({ '/home/me/node': rootFile, '/home/me': { uid: 1000, mode: 0o40755 }, '/home': rootDir, '/': rootDir });
    expect(interpreterWeakness('/home/me/node', inHome)).toBe('/home/me belongs to user 1000, not root');
  });

  it('is not under a directory its group or anyone may write (a staff-writable /usr/local)', () => {
    const staff = tree({ '/usr/local/bin/node': rootFile, '/usr/local/bin': { uid: 0, mode: 0o42775 }, '/usr/local': rootDir, '/usr': rootDir, '/': rootDir });
    expect(interpreterWeakness('/usr/local/bin/node', staff)).toBe('/usr/local/bin may be written by its group');
    const tmp = tree({ '/tmp/node': rootFile, '/tmp': { uid: 0, mode: 0o41777 }, '/': rootDir });
    expect(interpreterWeakness('/tmp/node', tmp)).toBe('/tmp may be written by anyone');
  });

  it('is one that can be read', () => {
    expect(interpreterWeakness('/gone/node', tree({}))).toBe('/gone/node cannot be read (ENOENT)');
  });
});
