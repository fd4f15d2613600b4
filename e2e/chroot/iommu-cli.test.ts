/**
 * The built `passthru iommu` CLI against a real Debian 12 in a chroot:
 * `iommu enable --root <chroot>` detects GRUB, writes its drop-in and runs the real update-grub
 * through `chroot <root>` (the executor, apply-boot-config); grub.cfg's linux lines then carry
 * intel_iommu=on; enabling again is a no-op; `iommu disable` and `passthru undo` give back
 * /etc/default and /boot/grub byte for byte; a failing update-grub leaves every file as it was.
 *
 * The CLI runs on the host side inside `unshare --mount` with cli-in-namespace.sh, which makes
 * the root a mount point with /proc and /dev (what update-grub needs in a chroot) and binds an
 * Intel /proc/cpuinfo over the real one.
 */
import { mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findChrootHostTools, SYSTEM_PATH } from './prerequisites';
import { KERNEL_VERSION, repoRoot, run, runInChrootOk, withDebianChroot, type CommandResult } from './debian-chroot';
import { normalLinuxArgs, snapshotFiles } from './grub-files';

const CLI = path.join(repoRoot(), 'dist', 'cli', 'passthru.cjs');
const SCRIPT = path.join(repoRoot(), 'e2e', 'chroot', 'cli-in-namespace.sh');

beforeAll(async () => {
  const r = await run([process.execPath, path.join(repoRoot(), 'scripts', 'build.mjs'), '--only=cli'], {
    env: { PATH: `${path.dirname(process.execPath)}:${SYSTEM_PATH}`, HOME: '/root' },
  });
  if (r.code !== 0) throw new Error(`building the CLI failed:\n${r.stderr}${r.stdout}`);
}, 120_000);

/** The running machine the CLI should see: an Intel CPU booted without IOMMU arguments. */
function fakeProc(root: string): string {
  const dir = path.join(path.dirname(root), 'fakeproc');
  mkdirSync(path.join(dir, 'sys/kernel'), { recursive: true });
  writeFileSync(path.join(dir, 'cpuinfo'), 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7\n');
  writeFileSync(path.join(dir, 'cmdline'), `BOOT_IMAGE=/boot/vmlinuz-${KERNEL_VERSION} root=/dev/vda1 ro quiet\n`);
  writeFileSync(path.join(dir, 'sys/kernel/osrelease'), `${KERNEL_VERSION}\n`);
  return dir;
}

/** `passthru ARGS... --root ROOT --state-dir STATE` in the prepared namespace. */
function cli(root: string, args: string[]): Promise<CommandResult> {
  const tools = findChrootHostTools();
  const state = path.join(path.dirname(root), 'state');
  return run(
    [
      tools.unshare,
      '--mount',
      '--propagation',
      'private',
      '--fork',
      '--',
      tools.sh,
      SCRIPT,
      root,
      path.join(path.dirname(root), 'fakeproc'),
      process.execPath,
      CLI,
      ...args,
      '--root',
      root,
      ...(args[0] === 'iommu' && args[1] === 'status' ? [] : ['--state-dir', state]),
    ],
    {
      env: { PATH: SYSTEM_PATH, LC_ALL: 'C', HOME: '/root' },
    },
  );
}

async function cliJson(root: string, args: string[], code = 0): Promise<Record<string, unknown>> {
  const r = await cli(root, [...args, '--json']);
  expect(r.code, `passthru ${args.join(' ')}:\n${r.stderr}${r.stdout}`).toBe(code);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const grubArgs = (root: string): string[][] => normalLinuxArgs(readFileSync(path.join(root, 'boot/grub/grub.cfg'), 'utf8'));

const WATCHED = ['/etc/default', '/boot/grub'];

describe('passthru iommu (built CLI) on a real Debian 12 (chroot)', () => {
  it('status, enable (real update-grub), enable again is a no-op, disable restores byte for byte; history and undo', async () => {
    await withDebianChroot(async (root) => {
      fakeProc(root);
      await runInChrootOk(root, ['update-grub']);
      const before = snapshotFiles(root, WATCHED);

      const status = await cliJson(root, ['iommu', 'status']);
      expect(status).toMatchObject({ cpu: { value: 'intel' }, boot: { ok: true, method: { kind: 'grub', regenerate: ['update-grub'] } }, enable: { noop: false, refusal: null } });
      expect(String((status.enable as { summary: string }).summary)).toContain('create /etc/default/grub.d/90-passthru-iommu.cfg (+intel_iommu=on), then run update-grub');

      const dry = await cli(root, ['iommu', 'enable', '--pt', '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('+GRUB_CMDLINE_LINUX_DEFAULT="${GRUB_CMDLINE_LINUX_DEFAULT} intel_iommu=on iommu=pt"');
      expect(dry.stdout).toContain('$ update-grub');
      expect(snapshotFiles(root, WATCHED)).toEqual(before);

      const applied = await cliJson(root, ['iommu', 'enable', '--pt', '--yes']);
      expect(applied).toMatchObject({ ok: true, steps: [{ id: 'boot-config', state: 'done' }] });
      const entries = grubArgs(root);
      expect(entries.length).toBeGreaterThanOrEqual(2);
      for (const a of entries) expect(a).toEqual(expect.arrayContaining(['quiet', 'intel_iommu=on', 'iommu=pt']));
      const enabled = snapshotFiles(root, WATCHED);

      const again = await cliJson(root, ['iommu', 'enable', '--pt', '--yes']);
      expect(again).toMatchObject({ ok: true });
      expect(snapshotFiles(root, WATCHED)).toEqual(enabled);
      // Configured but not yet running: the status says a reboot is what is missing.
      expect(await cliJson(root, ['iommu', 'status'])).toMatchObject({
        configured: 'on',
        configuredArgs: ['intel_iommu=on', 'iommu=pt'],
        enable: { noop: true },
        verification: { verified: false, rebootPending: true },
      });

      const history = ((await cliJson(root, ['history'])) as unknown as { entries: { kind: string; state: string }[] }).entries;
      expect(history.map((h) => [h.kind, h.state])).toEqual([['iommu', 'applied']]);

      expect(await cliJson(root, ['iommu', 'disable', '--yes'])).toMatchObject({ ok: true });
      expect(snapshotFiles(root, WATCHED)).toEqual(before);

      // Once more, taken back with `passthru undo` this time.
      expect(await cliJson(root, ['iommu', 'enable', '--yes'])).toMatchObject({ ok: true });
      expect(grubArgs(root)[0]).toContain('intel_iommu=on');
      expect(await cliJson(root, ['undo', '--yes'])).toMatchObject({ ok: true });
      expect(snapshotFiles(root, WATCHED)).toEqual(before);
      const states = ((await cliJson(root, ['history'])) as unknown as { entries: { kind: string; state: string }[] }).entries.map((h) => [h.kind, h.state]);
      expect(states).toEqual([
        ['undo', 'applied'],
        ['iommu', 'undone'],
        ['iommu', 'applied'],
        ['iommu', 'applied'],
      ]);
    });
  });

  it('a failing update-grub: exit 4, the output tail in the message, every file as it was', async () => {
    await withDebianChroot(async (root) => {
      fakeProc(root);
      await runInChrootOk(root, ['update-grub']);
      const before = snapshotFiles(root, WATCHED);
      const tool = path.join(root, 'usr/sbin/update-grub');
      writeFileSync(tool, '#!/bin/sh\necho "grub-mkconfig: error: simulated failure" >&2\nexit 1\n');
      chmodSync(tool, 0o755);
      const r = await cli(root, ['iommu', 'enable', '--yes']);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(/update-grub failed \(exit 1\): grub-mkconfig: error: simulated failure\. Every file was put back as it was/);
      expect(snapshotFiles(root, WATCHED)).toEqual(before);
      const history = ((await cliJson(root, ['history'])) as unknown as { entries: { state: string }[] }).entries;
      expect(history.map((h) => h.state)).toEqual(['rolled-back']);
    });
  });
});
