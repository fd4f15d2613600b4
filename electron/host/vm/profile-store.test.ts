import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vmProfileSchema } from '#shared/vm';
import { ProfileStore, resolveVmDirs } from './profile-store';

let dir = '';
let store: ProfileStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vm-store-'));
  store = new ProfileStore({ configDir: join(dir, 'cfg'), runtimeDir: join(dir, 'run') });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const p = (name: string) =>
  vmProfileSchema.parse({
    name,
    cpus: 1,
    memoryMiB: 256,
    firmware: 'seabios',
    machine: 'q35',
    disks: [],
    iso: null,
    display: 'none',
    nics: [{ kind: 'nat' }],
    createdAt: '2025-01-01T00:00:00.000Z',
  });

describe('ProfileStore', () => {
  it('saves atomically, lists, gets and deletes', () => {
    const file = store.save(p('a'));
    store.save(p('b'));
    expect(file).toBe(join(dir, 'cfg', 'vms', 'a.json'));
    expect(readdirSync(join(dir, 'cfg', 'vms'))).toEqual(['a.json', 'b.json']); // no temp files left
    expect(store.get('a')).toEqual(p('a'));
    store.save({ ...p('a'), cpus: 3 });
    expect(store.get('a').cpus).toBe(3);
    store.delete('a');
    expect(store.list().map((s) => s.name)).toEqual(['b']);
    expect(() => store.get('a')).toThrow(/There is no VM named a/);
  });

  it('reports a corrupt or mismatching file in the list instead of failing', () => {
    store.save(p('good'));
    writeFileSync(join(dir, 'cfg', 'vms', 'broken.json'), '{"name": "broken", ');
    writeFileSync(join(dir, 'cfg', 'vms', 'wrong.json'), JSON.stringify({ ...p('good'), cpus: -1, name: 'wrong' }));
    writeFileSync(join(dir, 'cfg', 'vms', 'other.json'), JSON.stringify(p('good')));
    const list = store.list();
    expect(list.map((s) => [s.name, s.ok])).toEqual([
      ['broken', false],
      ['good', true],
      ['other', false],
      ['wrong', false],
    ]);
    const problems = Object.fromEntries(list.map((s) => [s.name, s.ok ? null : s.problem]));
    expect(problems.broken).toMatch(/not valid JSON/);
    expect(problems.wrong).toMatch(/cpus/);
    expect(problems.other).toMatch(/holds VM good/);
    expect(() => store.get('broken')).toThrow(/cannot be read/);
  });

  it('refuses unsafe names before touching the filesystem', () => {
    for (const name of ['../x', 'a/b', '', '-x', 'a b']) expect(() => store.file(name), name).toThrow(/not a valid VM name/);
    expect(() => store.runtimePaths('../../etc')).toThrow();
  });

  it('keeps runtime paths under the runtime dir and refuses too-long socket paths', () => {
    expect(store.runtimePaths('a').qmpSocket).toBe(join(dir, 'run', 'a', 'qmp.sock'));
    const deep = new ProfileStore({ configDir: dir, runtimeDir: join(dir, 'x'.repeat(80)) });
    expect(() => deep.runtimePaths('a'.repeat(40))).toThrow(/longer than a unix socket allows/);
  });

  it('resolves XDG directories, with overrides', () => {
    expect(resolveVmDirs({}, { HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1000' })).toEqual({ configDir: '/home/u/.config/passthru', runtimeDir: '/run/user/1000/passthru/vms' });
    expect(resolveVmDirs({}, { HOME: '/home/u', XDG_CONFIG_HOME: '/c' })).toEqual({ configDir: '/c/passthru', runtimeDir: '/home/u/.local/state/passthru/vms' });
    expect(resolveVmDirs({ configDir: '/x' }, { HOME: '/h', PASSTHRU_RUNTIME_DIR: '/r' })).toEqual({ configDir: '/x', runtimeDir: '/r' });
  });
});
