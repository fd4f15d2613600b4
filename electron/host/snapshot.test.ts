import { afterEach, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PassthruError } from '#shared/errors';
import { RootFs } from './fs/root-fs';
import { scanHost } from './scan';
import { captureSnapshot, compareScans } from './snapshot';
import { makeTempRoot } from './testing/network-test-tree';
import { FAKE_IP, writeFakeHost } from './testing/scan-test-host';
import { hostileBase, outsideState } from './testing/hostile-tree';
import { SNAPSHOT_IP_STATE_PATH, SNAPSHOT_MANIFEST_PATH, type SnapshotManifest } from './snapshot-format';

/**
 * Makes the reducer (called per file while writing) fail on one path, to test clean-up; or run
 * `during` once at one path, to change the destination while the snapshot is being written.
 */
const failOn = vi.hoisted(() => ({ path: null as string | null, during: null as null | { path: string; run: () => void } }));
vi.mock('./snapshot-reducers', async (importOriginal) => {
  const real = await importOriginal<typeof import('./snapshot-reducers')>();
  return {
    ...real,
    reduceForSnapshot: (path: string, content: string, scan: Parameters<typeof real.reduceForSnapshot>[2]) => {
      if (path === failOn.path) throw new Error('disk full');
      if (failOn.during?.path === path) {
        const { run } = failOn.during;
        failOn.during = null;
        run();
      }
      return real.reduceForSnapshot(path, content, scan);
    },
  };
});

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

function workDir(): string {
  const dir = makeTempRoot('passthru-snap-');
  temps.push(dir);
  return dir;
}

function fakeHost(dir: string, name = 'host'): string {
  const root = join(dir, name);
  mkdirSync(root);
  writeFakeHost(root);
  return root;
}

async function expectError(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PassthruError);
  expect((err as PassthruError).code).toBe(code);
  expect((err as PassthruError).message).toMatch(message);
}

describe('captureSnapshot', () => {
  it('writes a snapshot that scans exactly like its source, with a manifest and the ip capture', async () => {
    const dir = workDir();
    const source = fakeHost(dir);
    const dest = join(dir, 'snap');
    const now = new Date('2025-03-04T05:06:07.000Z');
    const result = await captureSnapshot(source, dest, { now });
    expect(result.mismatches).toEqual([]);
    expect(result.manifest).toEqual({
      format: 'passthru-snapshot',
      formatVersion: 1,
      passthruVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
      capturedAt: '2025-03-04T05:06:07.000Z',
      hostname: 'fakehost',
      kernel: '6.1.0-passthru-test',
      kvmAccessible: null,
      ipState: 'iproute2',
      fileCount: expect.any(Number),
    } satisfies SnapshotManifest);
    expect(JSON.parse(readFileSync(join(dest, SNAPSHOT_MANIFEST_PATH), 'utf8'))).toEqual(result.manifest);
    expect(JSON.parse(readFileSync(join(dest, SNAPSHOT_IP_STATE_PATH), 'utf8'))).toEqual(FAKE_IP);

    const original = await scanHost(new RootFs(source));
    const snap = await scanHost(new RootFs(dest));
    expect(snap.source).toEqual({ kind: 'snapshot', root: dest, capturedAt: '2025-03-04T05:06:07.000Z', hostname: 'fakehost' });
    expect({ ...snap, source: null }).toEqual({ ...original, source: null });
  });

  it('captures only what the probes read', async () => {
    const dir = workDir();
    const source = fakeHost(dir);
    writeFileSync(join(source, 'proc', 'unrelated-secret'), 'do not copy');
    const dest = join(dir, 'snap');
    await captureSnapshot(source, dest);
    expect(existsSync(join(dest, 'proc', 'unrelated-secret'))).toBe(false);
    expect(existsSync(join(dest, 'proc', 'cmdline'))).toBe(true);
  });

  it('re-snapshots a snapshot, keeping the original hostname', async () => {
    const dir = workDir();
    const first = join(dir, 'first');
    await captureSnapshot(fakeHost(dir), first);
    const second = join(dir, 'second');
    const result = await captureSnapshot(first, second);
    expect(result.mismatches).toEqual([]);
    expect(result.manifest.hostname).toBe('fakehost');
    const a = await scanHost(new RootFs(first));
    const b = await scanHost(new RootFs(second));
    expect(compareScans(a, b)).toEqual([]);
  });

  it('falls back to procfs routes when the source has no ip capture', async () => {
    const dir = workDir();
    const source = fakeHost(dir);
    rmSync(join(source, SNAPSHOT_IP_STATE_PATH));
    const dest = join(dir, 'snap');
    const result = await captureSnapshot(source, dest);
    expect(result.manifest.ipState).toBe('procfs');
    expect(existsSync(join(dest, SNAPSHOT_IP_STATE_PATH))).toBe(false);
    expect(existsSync(join(dest, 'proc/net/route'))).toBe(true);
    expect(result.mismatches).toEqual([]);
    const snap = await scanHost(new RootFs(dest));
    expect(snap.interfaces.find((i) => i.name === 'br0')?.defaultRoute.ipv4).toBe(true);
  });

  it('accepts an existing empty directory', async () => {
    const dir = workDir();
    const dest = join(dir, 'empty');
    mkdirSync(dest);
    const result = await captureSnapshot(fakeHost(dir), dest);
    expect(result.dir).toBe(dest);
    expect(readdirSync(dest)).toContain('passthru-snapshot');
  });

  it('refuses a non-empty destination and touches nothing in it', async () => {
    const dir = workDir();
    const dest = join(dir, 'occupied');
    mkdirSync(dest);
    writeFileSync(join(dest, 'notes.txt'), 'mine');
    await expectError(captureSnapshot(fakeHost(dir), dest), 'BAD_INPUT', /not empty/);
    expect(readdirSync(dest)).toEqual(['notes.txt']);
    expect(readFileSync(join(dest, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('refuses a destination that is a file, and a missing source', async () => {
    const dir = workDir();
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    await expectError(captureSnapshot(fakeHost(dir), file), 'BAD_INPUT', /not a directory/);
    await expectError(captureSnapshot(join(dir, 'missing'), join(dir, 'out')), 'BAD_INPUT', /not a directory/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('removes what it created when writing fails part way', async () => {
    const dir = workDir();
    const dest = join(dir, 'snap');
    failOn.path = '/proc/cmdline';
    try {
      await expectError(captureSnapshot(fakeHost(dir), dest), 'FAILED', /Writing the snapshot .* failed: disk full/);
    } finally {
      failOn.path = null;
    }
    expect(existsSync(dest)).toBe(false);
  });

  it('empties, but keeps, an existing empty destination when writing fails', async () => {
    const dir = workDir();
    const dest = join(dir, 'given');
    mkdirSync(dest);
    failOn.path = '/proc/cmdline';
    try {
      await expectError(captureSnapshot(fakeHost(dir), dest), 'FAILED', /disk full/);
    } finally {
      failOn.path = null;
    }
    expect(readdirSync(dest)).toEqual([]);
  });

  describe('hostile destinations and sources', () => {
    for (const kind of ['absolute', 'dotdot'] as const) {
      it(`a directory swapped for a link (${kind}) while the snapshot is written: nothing lands outside`, async () => {
        const dir = workDir();
        const source = fakeHost(dir);
        const b = hostileBase();
        try {
          const dest = join(b.base, 'snap');
          const before = outsideState({ base: b.base, root: dest });
          // Someone with a hand in DEST puts a link where /sys is about to be written.
          failOn.during = { path: '/proc/cmdline', run: () => symlinkSync(kind === 'absolute' ? b.outside : relative(dest, b.outside), join(dest, 'sys')) };
          await captureSnapshot(source, dest).catch((e: unknown) => e);
          expect(failOn.during).toBeNull(); // the swap happened
          expect(outsideState({ base: b.base, root: dest })).toEqual(before);
        } finally {
          failOn.during = null;
          b.dispose();
        }
      });
    }

    it('refuses an empty destination that belongs to someone else, and writes nothing into it', async () => {
      const dir = workDir();
      const dest = join(dir, 'theirs');
      mkdirSync(dest);
      chownSync(dest, 4321, 4321);
      await expectError(captureSnapshot(fakeHost(dir), dest), 'BAD_INPUT', /belongs to user 4321/);
      expect(readdirSync(dest)).toEqual([]);
    });

    it('refuses a destination that is a link, and writes nothing where it points', async () => {
      const dir = workDir();
      mkdirSync(join(dir, 'target'));
      symlinkSync(join(dir, 'target'), join(dir, 'link'));
      await expectError(captureSnapshot(fakeHost(dir), join(dir, 'link')), 'BAD_INPUT', /link/);
      expect(readdirSync(join(dir, 'target'))).toEqual([]);
    });

    it('refuses a source holding a device node where a file is read, naming it, before writing', async () => {
      const dir = workDir();
      const source = fakeHost(dir);
      rmSync(join(source, 'proc/cmdline'));
      execFileSync('mknod', [join(source, 'proc/cmdline'), 'c', '1', '3']);
      await expectError(captureSnapshot(source, join(dir, 'snap')), 'BAD_INPUT', /proc\/cmdline is a character device/);
      expect(existsSync(join(dir, 'snap'))).toBe(false);
    });

    it('refuses a source holding a huge (sparse) file, before writing', async () => {
      const dir = workDir();
      const source = fakeHost(dir);
      truncateSync(join(source, 'usr/share/misc/pci.ids'), 17 * 1024 * 1024);
      await expectError(captureSnapshot(source, join(dir, 'snap')), 'BAD_INPUT', /pci\.ids is larger than 16 MiB/);
      expect(existsSync(join(dir, 'snap'))).toBe(false);
    });
  });
});
