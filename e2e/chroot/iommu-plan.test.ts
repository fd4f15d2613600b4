/**
 * The IOMMU planner (electron/host/iommu) against a real Debian 12 in a chroot: detection on
 * its real files, the plan's files written as planned, the plan's own commands run in the
 * chroot (the real update-grub), the plan's verifications checked on the generated grub.cfg,
 * and disable giving back every file byte for byte. The privileged executor for these plans
 * is not written yet (issue 6 stays open): `applyFiles` below writes what the plan says,
 * nothing more, so this proves the plan, not an executor.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RootFs } from '../../electron/host/fs/root-fs';
import { detectBootSetup } from '../../electron/host/iommu/detect';
import { planIommuDisable, planIommuEnable, type IommuPlan } from '../../electron/host/iommu/plan';
import { KERNEL_VERSION, runInChrootOk, withDebianChroot } from './debian-chroot';

/** What the chroot lacks to look like a running Intel host: /proc is only mounted per command. */
function fakeRunningKernel(root: string): void {
  mkdirSync(path.join(root, 'proc/sys/kernel'), { recursive: true });
  writeFileSync(path.join(root, 'proc/cpuinfo'), 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7\n');
  writeFileSync(path.join(root, 'proc/cmdline'), `BOOT_IMAGE=/boot/vmlinuz-${KERNEL_VERSION} root=/dev/vda1 ro quiet\n`);
  writeFileSync(path.join(root, 'proc/sys/kernel/osrelease'), `${KERNEL_VERSION}\n`);
}

function applyFiles(root: string, plan: IommuPlan): void {
  for (const b of plan.backups) {
    mkdirSync(path.dirname(path.join(root, b.backup)), { recursive: true });
    copyFileSync(path.join(root, b.path), path.join(root, b.backup));
  }
  for (const f of plan.files) {
    const host = path.join(root, f.path);
    if (f.after === null) rmSync(host, { force: true });
    else {
      mkdirSync(path.dirname(host), { recursive: true });
      writeFileSync(host, f.after);
    }
  }
}

/** Every file under the given directories of the chroot, by path, with its bytes. */
function snapshotFiles(root: string, dirs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    const abs = path.join(root, rel);
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out[r] = readFileSync(path.join(root, r), 'latin1');
    }
  };
  for (const d of dirs) walk(d);
  return out;
}

const linuxArgs = (cfg: string): string[][] =>
  cfg.split('\n').map((l) => l.trim()).filter((l) => /^linux\s/.test(l) && !/\ssingle(\s|$)/.test(l)).map((l) => l.split(/\s+/).slice(2));

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

      applyFiles(root, plan);
      for (const argv of plan.commands) await runInChrootOk(root, argv);
      const cfg = readFileSync(path.join(root, 'boot/grub/grub.cfg'), 'utf8');
      const entries = linuxArgs(cfg);
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
      applyFiles(root, off);
      for (const argv of off.commands) await runInChrootOk(root, argv);
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
      applyFiles(root, plan);
      for (const argv of plan.commands) await runInChrootOk(root, argv);
      for (const a of linuxArgs(readFileSync(path.join(root, 'boot/grub/grub.cfg'), 'utf8'))) {
        expect(a).toContain('intel_iommu=on');
        expect(a).not.toContain('intel_iommu=off');
      }

      const off = planIommuDisable(detectBootSetup(new RootFs(root)));
      applyFiles(root, off);
      for (const argv of off.commands) await runInChrootOk(root, argv);
      const after = snapshotFiles(root, ['/etc/default', '/boot/grub']);
      expect(after['/etc/default/grub']).toBe(odd);
      expect(after['/boot/grub/grub.cfg']).toBe(before['/boot/grub/grub.cfg']);
    });
  });
});
