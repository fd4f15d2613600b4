/**
 * The IOMMU planner (electron/host/iommu) and its executor (the apply-boot-config op) against a
 * real Debian 12 in a chroot: detection on its real files, the op applying exactly the plan
 * that was shown (its digest), running the real update-grub through `chroot ROOT`, the plan's
 * verifications checked on the generated grub.cfg, and disable giving back every file byte
 * for byte. The op's `chroot ROOT argv` goes through runInChroot, which adds the mounts
 * update-grub needs (see README.md); iommu-cli.test.ts does the same through the built CLI.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IommuIntent, OpCall } from '#shared/plan';
import { CommandError, type CommandRunner } from '../../electron/host/exec/run-command';
import { RootFs } from '../../electron/host/fs/root-fs';
import { detectBootSetup } from '../../electron/host/iommu/detect';
import { bootConfigDigest } from '../../electron/host/iommu/digest';
import { planIommuDisable, planIommuEnable, type IommuPlan } from '../../electron/host/iommu/plan';
import { OPS, type OpContext } from '../../electron/host/ops';
import { KERNEL_VERSION, runInChroot, runInChrootOk, withDebianChroot } from './debian-chroot';
import { normalLinuxArgs, snapshotFiles } from './grub-files';

/** What the chroot lacks to look like a running Intel host: /proc is only mounted per command. */
function fakeRunningKernel(root: string): void {
  mkdirSync(path.join(root, 'proc/sys/kernel'), { recursive: true });
  writeFileSync(path.join(root, 'proc/cpuinfo'), 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7\n');
  writeFileSync(path.join(root, 'proc/cmdline'), `BOOT_IMAGE=/boot/vmlinuz-${KERNEL_VERSION} root=/dev/vda1 ro quiet\n`);
  writeFileSync(path.join(root, 'proc/sys/kernel/osrelease'), `${KERNEL_VERSION}\n`);
}

/** The executor's runner: its `chroot ROOT argv...` runs through runInChroot (with the mounts). */
function chrootRunner(root: string): CommandRunner {
  return async (argv) => {
    if (argv[0] !== 'chroot' || argv[1] !== root) throw new Error(`not through chroot ${root}: ${argv.join(' ')}`);
    const r = await runInChroot(root, argv.slice(2));
    if (r.code !== 0) throw new CommandError({ argv, failure: 'exit', exitCode: r.code, stdout: r.stdout, stderr: r.stderr });
    return { argv: [...argv], exitCode: 0, stdout: r.stdout, stderr: r.stderr, durationMs: 0 };
  };
}

/** Applies `plan` (as shown: its digest) with the real executor: validate, run, verify. */
async function applyWithExecutor(root: string, intent: IommuIntent, plan: IommuPlan): Promise<void> {
  const ctx: OpContext = { root, fs: new RootFs(root), runCommand: chrootRunner(root), originalDrivers: [] };
  const op: OpCall = { verb: 'apply-boot-config', intent, digest: bootConfigDigest(plan) };
  OPS.validate(op, ctx);
  await OPS.run(op, ctx);
  expect(await OPS.verify(op, ctx)).toBeNull();
}

describe('the IOMMU planner on a real Debian 12 (chroot)', () => {
  it('enable: a drop-in, update-grub puts intel_iommu=on iommu=pt on every normal entry; again is a no-op; disable restores everything', async () => {
    await withDebianChroot(async (root) => {
      fakeRunningKernel(root);
      await runInChrootOk(root, ['update-grub']);
      const watched = ['/etc/default', '/boot/grub'];
      const before = snapshotFiles(root, watched);

      const setup = detectBootSetup(new RootFs(root));
      expect(setup.boot).toMatchObject({ ok: true, method: { kind: 'grub' } });
      expect(setup.cpu.value).toBe('intel');
      const plan = planIommuEnable(setup, { pt: true });
      expect(plan.refusal).toBeNull();
      expect(plan.noop).toBe(false);
      // Debian's update-grub reads /etc/default/grub.d: the change is a file of our own.
      expect(plan.files.map((f) => f.path)).toEqual(['/etc/default/grub.d/90-passthru-iommu.cfg']);
      expect(plan.files[0]!.unifiedDiff).toContain('+GRUB_CMDLINE_LINUX_DEFAULT="${GRUB_CMDLINE_LINUX_DEFAULT} intel_iommu=on iommu=pt"');
      expect(plan.commands).toEqual([['update-grub']]);

      await applyWithExecutor(root, { action: 'enable', pt: true, earlyVfio: false }, plan);
      const cfg = readFileSync(path.join(root, 'boot/grub/grub.cfg'), 'utf8');
      const entries = normalLinuxArgs(cfg);
      expect(entries.length).toBeGreaterThanOrEqual(2);
      for (const a of entries) expect(a).toEqual(expect.arrayContaining(['quiet', 'intel_iommu=on', 'iommu=pt']));
      for (const v of plan.verify) {
        for (const p of v.paths) {
          const text = readFileSync(path.join(root, p), 'utf8');
          for (const c of v.contains) expect(text, `${v.what}: ${p}`).toContain(c);
          for (const l of v.lacks) expect(text, `${v.what}: ${p}`).not.toContain(l);
        }
      }

      const again = planIommuEnable(detectBootSetup(new RootFs(root)), { pt: true });
      expect(again.noop).toBe(true);
      expect(again.files).toEqual([]);

      const off = planIommuDisable(detectBootSetup(new RootFs(root)));
      expect(off.refusal).toBeNull();
      await applyWithExecutor(root, { action: 'disable', pt: false, earlyVfio: false }, off);
      expect(snapshotFiles(root, watched)).toEqual(before);
    });
  });

  it('with intel_iommu=off in /etc/default/grub: edits that line in place (backup kept), and disable gives the file back byte for byte', async () => {
    await withDebianChroot(async (root) => {
      fakeRunningKernel(root);
      const grubFile = path.join(root, 'etc/default/grub');
      const odd = readFileSync(grubFile, 'utf8').replace(/^GRUB_CMDLINE_LINUX_DEFAULT="quiet"$/m, "GRUB_CMDLINE_LINUX_DEFAULT='quiet intel_iommu=off'");
      writeFileSync(grubFile, odd);
      await runInChrootOk(root, ['update-grub']);
      const before = snapshotFiles(root, ['/etc/default', '/boot/grub']);

      const plan = planIommuEnable(detectBootSetup(new RootFs(root)));
      expect(plan.refusal).toBeNull();
      expect(plan.files.map((f) => f.path)).toEqual(['/etc/default/grub']);
      expect(plan.backups.map((b) => b.path)).toEqual(['/etc/default/grub']);
      await applyWithExecutor(root, { action: 'enable', pt: false, earlyVfio: false }, plan);
      expect(readFileSync(path.join(root, 'var/lib/passthru/iommu-backup/etc/default/grub'), 'utf8')).toBe(odd);
      for (const a of normalLinuxArgs(readFileSync(path.join(root, 'boot/grub/grub.cfg'), 'utf8'))) {
        expect(a).toContain('intel_iommu=on');
        expect(a).not.toContain('intel_iommu=off');
      }

      const off = planIommuDisable(detectBootSetup(new RootFs(root)));
      await applyWithExecutor(root, { action: 'disable', pt: false, earlyVfio: false }, off);
      const after = snapshotFiles(root, ['/etc/default', '/boot/grub']);
      expect(after['/etc/default/grub']).toBe(odd);
      expect(after['/boot/grub/grub.cfg']).toBe(before['/boot/grub/grub.cfg']);
    });
  });
});
