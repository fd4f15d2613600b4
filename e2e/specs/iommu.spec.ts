/**
 * The Enable-IOMMU wizard in the GUI. Hosts are the lab's `no-iommu` and `seed` snapshots,
 * with a boot configuration copied in from the planner's test roots: Debian 12 with GRUB
 * (the wizard shows what it found and the exact diff), and the same with systemd-boot also
 * configured (ambiguous: refused, with why). Applying is refused because a snapshot is never
 * the live host; the real writes are tested in the chroot (e2e/chroot) and the lab.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, fixtureRoot, keepScreenshot, repoRoot } from '../support/app';
import { expectNoSeriousA11yViolations } from '../support/axe';
import { currentStep, readinessCheck } from '../support/pages';

const DEBIAN12 = join(repoRoot, 'electron/host/iommu/testdata/debian12');

/** A copy of a fixture snapshot with Debian 12's /etc and /boot, plus extra files. */
function hostWithBootConfig(fixture: string, extra: Record<string, string> = {}, dirs: string[] = []): string {
  const root = mkdtempSync(join(tmpdir(), 'passthru-iommu-spec-'));
  cpSync(fixtureRoot(fixture), root, { recursive: true });
  for (const d of ['etc', 'boot']) cpSync(join(DEBIAN12, d), join(root, d), { recursive: true });
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
  for (const [p, content] of Object.entries(extra)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), content);
  }
  return root;
}

test.describe('IOMMU', () => {
  test('no-iommu: the overview says what is missing and offers the wizard, which shows what it found and the exact diff', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: hostWithBootConfig('no-iommu') });
    const section = page.getByTestId('iommu-verification');
    await expect(section).toContainText('/proc/cmdline lacks intel_iommu=on. Turn the IOMMU on with the wizard, then reboot.');
    const items = section.getByRole('list', { name: 'IOMMU verification' });
    for (const id of ['cmdline', 'units', 'groups', 'interrupt-remapping']) await expect(items.locator(`[data-verify="${id}"]`)).toHaveAttribute('data-ok', 'false');
    await expect(section).toContainText('The boot configuration (GRUB (update-grub)) does not turn the IOMMU on.');
    await expect(readinessCheck(page, 'iommu-enabled').getByRole('button', { name: /^IOMMU boot settings…/ })).toBeVisible();
    await keepScreenshot(page, testInfo, 'iommu-overview-off');
    await expectNoSeriousA11yViolations(page);

    // Keyboard: focus the section's button and press Enter.
    await section.getByRole('button', { name: 'IOMMU boot settings…' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'IOMMU boot settings' });
    await expect(currentStep(dialog)).toHaveText('1. Settings');
    const found = dialog.getByRole('list', { name: 'What Passthru found' }).or(dialog.locator('dl[aria-label="What Passthru found"]'));
    await expect(found.locator('[data-finding="cpu"]')).toContainText('Intel');
    await expect(found.locator('[data-finding="cpu"]')).toContainText('/proc/cpuinfo: vendor_id GenuineIntel.');
    await expect(found.locator('[data-finding="bootloader"]')).toContainText('GRUB (update-grub)');
    await expect(found.locator('[data-finding="bootloader"]')).toContainText('update-grub regenerates it and reads /etc/default/grub.d/*.cfg');
    await expect(found.locator('[data-finding="firmware"]')).toContainText('BIOS');
    await expect(found.locator('[data-finding="initramfs"]')).toContainText('initramfs-tools');
    await expect(dialog).toContainText('Enabling would create /etc/default/grub.d/90-passthru-iommu.cfg (+intel_iommu=on), then run update-grub.');

    // Options are only for turning it on.
    await dialog.getByRole('radio', { name: /^Remove the IOMMU arguments/ }).check();
    await expect(dialog.getByRole('checkbox', { name: /^Also add iommu=pt/ })).toBeDisabled();
    await dialog.getByRole('radio', { name: /^Turn the IOMMU on \(intel_iommu=on\)/ }).check();
    await dialog.getByRole('checkbox', { name: /^Also add iommu=pt/ }).check();
    await dialog.getByRole('checkbox', { name: /^Load the VFIO modules early \(initramfs: initramfs-tools\)/ }).check();
    await keepScreenshot(page, testInfo, 'iommu-wizard-settings');
    await expectNoSeriousA11yViolations(page);
    await dialog.getByRole('button', { name: 'Check', exact: true }).click();

    await expect(currentStep(dialog)).toHaveText('2. Checks');
    // Said before Apply: this is a snapshot; the plan can still be read and saved.
    await expect(dialog.getByRole('alert')).toContainText('This is a snapshot: Passthru shows it read-only and changes nothing.');
    const checks = dialog.getByRole('list', { name: 'Checks' });
    await expect(checks).toContainText('Bootloader');
    await expect(checks).toContainText('VFIO modules early');
    await dialog.getByRole('button', { name: 'Review the plan' }).click();

    await expect(currentStep(dialog)).toHaveText('3. Plan');
    const dropIn = dialog
      .getByRole('region', { name: 'changes to /etc/default/grub.d/90-passthru-iommu.cfg' })
      .or(dialog.locator('pre[aria-label="changes to /etc/default/grub.d/90-passthru-iommu.cfg"]'));
    await expect(dropIn).toContainText('+++ b/etc/default/grub.d/90-passthru-iommu.cfg');
    await expect(dropIn.locator('.diff__line--add', { hasText: 'GRUB_CMDLINE_LINUX_DEFAULT="${GRUB_CMDLINE_LINUX_DEFAULT} intel_iommu=on iommu=pt"' })).toHaveCount(1);
    const modules = dialog.locator('pre[aria-label="changes to /etc/initramfs-tools/modules"]');
    await expect(modules.locator('.diff__line--add')).toContainText(['+vfio', '+vfio_iommu_type1', '+vfio_pci', '+vfio_virqfd']);
    const steps = dialog.getByRole('list', { name: 'Plan steps' });
    await expect(steps).toContainText('update-grub');
    await expect(steps).toContainText('update-initramfs -u -k all');
    await expect(steps).toContainText('sh -n /etc/default/grub.d/90-passthru-iommu.cfg');
    await expect(steps).toContainText('Backed up first: /etc/initramfs-tools/modules → /var/lib/passthru/iommu-backup/etc/initramfs-tools/modules');
    await expect(steps).toContainText('The running kernel sees it after a reboot.');
    await keepScreenshot(page, testInfo, 'iommu-wizard-plan');
    await expectNoSeriousA11yViolations(page);

    await expect(dialog.getByRole('button', { name: 'Apply' })).toBeDisabled();
    await expect(dialog.getByRole('link', { name: 'Save as script…' })).toBeVisible();
  });

  test('an ambiguous bootloader (GRUB and systemd-boot both configured) is refused, with why, and nothing can be applied', async ({ app }, testInfo) => {
    const root = hostWithBootConfig(
      'no-iommu',
      { 'boot/loader/loader.conf': 'timeout 3\n', 'etc/kernel/cmdline': 'root=UUID=1c2d ro quiet\n', 'usr/lib/modules/6.1.0-18-amd64/vmlinuz': '' },
      ['sys/firmware/efi'],
    );
    const page = await app.open({ fixture: root });
    const section = page.getByTestId('iommu-verification');
    await expect(section).toContainText("Passthru cannot change this machine's boot configuration: Both GRUB (update-grub) and systemd-boot (kernel-install) look configured");
    await section.getByRole('button', { name: 'IOMMU boot settings…' }).click();
    const dialog = page.getByRole('dialog', { name: 'IOMMU boot settings' });
    await expect(dialog.locator('[data-finding="bootloader"]')).toContainText('Not supported');
    await expect(dialog.getByRole('note').filter({ hasText: 'Check which one' })).toContainText('Check which one starts this machine (bootctl status, efibootmgr -v)');
    await dialog.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(currentStep(dialog)).toHaveText('2. Checks');
    await expect(dialog.getByRole('alert')).toContainText('Refused: Both GRUB (update-grub) and systemd-boot (kernel-install) look configured');
    await expect(dialog.getByRole('alert')).toContainText('Nothing will be changed.');
    await expect(dialog.getByRole('button', { name: 'Review the plan' })).toHaveCount(0);
    await expect(dialog.getByRole('button', { name: 'Apply' })).toHaveCount(0);
    await keepScreenshot(page, testInfo, 'iommu-wizard-ambiguous');
    await expectNoSeriousA11yViolations(page);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  });

  test('seed (booted with intel_iommu=on): the overview verifies the IOMMU after the reboot', async ({ app }) => {
    const page = await app.open({ fixture: 'seed' });
    const section = page.getByTestId('iommu-verification');
    await expect(section).toContainText('Verified: the running kernel has the IOMMU on, with interrupt remapping.');
    for (const id of ['cmdline', 'units', 'groups', 'interrupt-remapping']) await expect(section.locator(`[data-verify="${id}"]`)).toHaveAttribute('data-ok', 'true');
    await expect(section.locator('[data-verify="cmdline"]')).toContainText('/proc/cmdline has intel_iommu=on.');
    await expect(section.locator('[data-verify="units"]')).toContainText('dmar0 registered.');
  });
});
