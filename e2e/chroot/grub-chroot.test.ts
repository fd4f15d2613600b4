/**
 * Proves the chroot harness: a fresh Debian 12 with grub-pc, where the real update-grub
 * regenerates /boot/grub/grub.cfg from /etc/default/grub and /etc/default/grub.d/*.cfg.
 * The edits here are plain string replacements; the IOMMU planner's own tests plug in later.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_VERSION, mountsUnder, runInChroot, runInChrootOk, withDebianChroot } from './debian-chroot';

interface LinuxLines {
  /** The `linux` lines of the normal entries (the default and the one under Advanced options). */
  normal: string[];
  /** The recovery entries' `linux` lines (`... ro single`): only GRUB_CMDLINE_LINUX reaches them. */
  recovery: string[];
}

function linuxLines(cfg: string): LinuxLines {
  const lines = cfg
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^linux\s/.test(l));
  return {
    normal: lines.filter((l) => !/\ssingle(\s|$)/.test(l)),
    recovery: lines.filter((l) => /\ssingle(\s|$)/.test(l)),
  };
}

function args(line: string): string[] {
  return line.split(/\s+/).slice(2); // drop "linux" and the kernel path
}

async function updateGrub(root: string): Promise<{ cfg: string; output: string }> {
  const r = await runInChrootOk(root, ['update-grub']);
  const output = r.stdout + r.stderr;
  expect(output).toContain(`Found linux image: /boot/vmlinuz-${KERNEL_VERSION}`);
  return { cfg: readFileSync(path.join(root, 'boot/grub/grub.cfg'), 'utf8'), output };
}

describe('the Debian chroot (debootstrap, grub-pc, real update-grub)', () => {
  it('runs argv in the chroot without a shell, and leaves nothing behind', async () => {
    let kept = '';
    await withDebianChroot(async (root) => {
      kept = root;
      const os = await runInChrootOk(root, ['cat', '/etc/os-release']);
      expect(os.stdout).toMatch(/^VERSION_ID="12"$/m);
      const echo = await runInChrootOk(root, ['echo', '$(id -u); `true` | x > y']);
      expect(echo.stdout).toBe('$(id -u); `true` | x > y\n');
      expect(existsSync(path.join(root, 'y'))).toBe(false);
      // The mounts update-grub needs live only in the command's own mount namespace.
      const inside = await runInChrootOk(root, ['cat', '/proc/self/mountinfo']);
      const mountPoints = inside.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[4]);
      expect(mountPoints).toEqual(expect.arrayContaining(['/', '/proc', '/dev'])); // root is a mount point inside
      expect(mountsUnder(root)).toEqual([]);
      expect((await runInChroot(root, ['false'])).code).toBe(1);
      expect(existsSync(path.join(root, `boot/vmlinuz-${KERNEL_VERSION}`))).toBe(true);
    });
    expect(kept).not.toBe('');
    expect(existsSync(kept)).toBe(false);
  });

  it('update-grub puts an argument added to GRUB_CMDLINE_LINUX_DEFAULT on the linux lines; restoring the file takes it away', async () => {
    await withDebianChroot(async (root) => {
      const defaultGrub = path.join(root, 'etc/default/grub');
      const original = readFileSync(defaultGrub);
      expect(original.toString()).toMatch(/^GRUB_CMDLINE_LINUX_DEFAULT="quiet"$/m);

      const before = await updateGrub(root);
      const b = linuxLines(before.cfg);
      expect(b.normal.length).toBeGreaterThanOrEqual(2);
      expect(b.recovery.length).toBeGreaterThanOrEqual(1);
      for (const l of b.normal) expect(args(l)).toContain('quiet');
      for (const l of [...b.normal, ...b.recovery]) expect(args(l)).not.toContain('intel_iommu=on');

      writeFileSync(defaultGrub, original.toString().replace(/^GRUB_CMDLINE_LINUX_DEFAULT="quiet"$/m, 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"'));
      const enabled = linuxLines((await updateGrub(root)).cfg);
      expect(enabled.normal.length).toBe(b.normal.length);
      for (const l of enabled.normal) expect(args(l)).toEqual(expect.arrayContaining(['quiet', 'intel_iommu=on']));
      // Debian's 10_linux gives recovery entries GRUB_CMDLINE_LINUX only, not ..._DEFAULT.
      for (const l of enabled.recovery) expect(args(l)).not.toContain('intel_iommu=on');

      writeFileSync(defaultGrub, original);
      const restored = await updateGrub(root);
      expect(readFileSync(defaultGrub).equals(original)).toBe(true);
      expect(restored.cfg).toBe(before.cfg); // byte for byte what it generated before the change
    });
  });

  it('update-grub honours a drop-in in /etc/default/grub.d that extends GRUB_CMDLINE_LINUX_DEFAULT', async () => {
    await withDebianChroot(async (root) => {
      const before = await updateGrub(root);
      const dropIn = path.join(root, 'etc/default/grub.d/90-test.cfg');
      writeFileSync(dropIn, 'GRUB_CMDLINE_LINUX_DEFAULT="${GRUB_CMDLINE_LINUX_DEFAULT} iommu=pt"\n');
      const withDropIn = linuxLines((await updateGrub(root)).cfg);
      expect(withDropIn.normal.length).toBeGreaterThanOrEqual(2);
      for (const l of withDropIn.normal) expect(args(l)).toEqual(expect.arrayContaining(['quiet', 'iommu=pt']));
      expect(args(withDropIn.normal[0]!).join(' ')).toMatch(/quiet iommu=pt$/);
      for (const l of withDropIn.recovery) expect(args(l)).not.toContain('iommu=pt');

      rmSync(dropIn);
      expect((await updateGrub(root)).cfg).toBe(before.cfg);
    });
  });

  it('grub-mkconfig -o writes the same configuration as update-grub', async () => {
    await withDebianChroot(async (root) => {
      const viaUpdateGrub = (await updateGrub(root)).cfg;
      await runInChrootOk(root, ['grub-mkconfig', '-o', '/boot/grub/grub.cfg.new']);
      expect(readFileSync(path.join(root, 'boot/grub/grub.cfg.new'), 'utf8')).toBe(viaUpdateGrub);
    });
  });
});
