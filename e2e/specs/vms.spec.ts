/**
 * VMs in the GUI, with real qemu on this machine (TCG; NAT restricted so nothing leaves it):
 * the New-VM wizard checks its fields as typed, previews the checks and the exact qemu
 * command line, creates a new qcow2 and saves the profile, starts it paused; the VMs page
 * shows it paused with its virtio NIC on the guest's PCI bus, resumes it, force-stops it,
 * exports it as libvirt XML, and deletes it. Profiles and runtime files live in temp dirs.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, keepScreenshot } from '../support/app';
import { expectNoSeriousA11yViolations } from '../support/axe';
import { goTo } from '../support/pages';

test.describe('VMs', () => {
  test('create a profile in the wizard, preview the command, start it paused, see it, resume, stop, export, delete', async ({ app }, testInfo) => {
    test.setTimeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'passthru-vms-spec-'));
    const configDir = join(dir, 'config');
    const runtimeDir = join(dir, 'run');
    const disk = join(dir, 'web,1.qcow2');
    const page = await app.open({ fixture: 'seed', bridgeArgs: ['--vm-config-dir', configDir, '--vm-runtime-dir', runtimeDir, '--vm-accel', 'tcg'] });
    page.on('dialog', (d) => void d.accept());
    try {
      await goTo(page, 'VMs');
      await expect(page.getByText('No VMs yet')).toBeVisible();
      await page.getByRole('button', { name: 'New VM…' }).click();

      const dialog = page.getByRole('dialog', { name: 'New VM' });
      const name = dialog.getByRole('textbox', { name: 'Name' });
      await expect(name).toBeFocused();
      const submit = dialog.getByRole('button', { name: 'Check and preview' });
      await name.fill('a b');
      await expect(dialog).toContainText('Use 1–63 letters, digits, dots, dashes or underscores');
      await expect(submit).toBeDisabled();
      await name.fill('web');
      await dialog.getByRole('spinbutton', { name: 'vCPUs' }).fill('1');
      await dialog.getByRole('spinbutton', { name: 'Memory (MiB)' }).fill('0');
      await expect(dialog).toContainText('The memory in MiB must be from 16 to');
      await dialog.getByRole('spinbutton', { name: 'Memory (MiB)' }).fill('128');
      await dialog.getByRole('radio', { name: /^A new qcow2 image/ }).check();
      await dialog.getByRole('textbox', { name: 'Disk image path' }).fill('relative.qcow2');
      await expect(dialog).toContainText('Give the full path of the disk image, starting with /.');
      await dialog.getByRole('textbox', { name: 'Disk image path' }).fill(disk);
      await dialog.getByRole('spinbutton', { name: 'Size (GiB)' }).fill('1');
      await dialog.getByRole('combobox', { name: 'Display' }).selectOption('none');
      // The default NIC is virtio with NAT; a second one on a bridge needs a bridge to exist.
      await expect(dialog.getByRole('combobox', { name: 'Kind of NIC 1' })).toHaveValue('nat');
      await keepScreenshot(page, testInfo, 'vm-wizard-settings');
      await expectNoSeriousA11yViolations(page);
      await submit.click();

      await expect(dialog.getByRole('list', { name: 'Wizard steps' }).locator('[aria-current="step"]')).toHaveText('2. Preview');
      await expect(dialog.getByRole('note')).toContainText('qemu emulates the CPU (TCG)');
      await expect(dialog.locator('[data-check="disk0"]')).toContainText('A new qcow2 image will be created here when you save.');
      const command = dialog.getByLabel('qemu command line', { exact: true });
      await expect(command).toContainText('qemu-system-x86_64');
      await expect(command).toContainText('-name');
      // The comma in the file name is doubled inside the qemu option, so the value stays whole.
      await expect(command).toContainText('web,,1.qcow2');
      await expect(command).toContainText('restrict=on');
      await expect(command).toContainText('virtio-net-pci');
      await keepScreenshot(page, testInfo, 'vm-wizard-preview');
      await expectNoSeriousA11yViolations(page);
      await dialog.getByRole('button', { name: 'Save and start paused' }).click();
      await expect(dialog.getByTestId('vm-wizard-outcome')).toContainText(/Saved web\. Started \(pid \d+, paused before boot\)\./, { timeout: 30_000 });
      expect(existsSync(disk)).toBe(true);
      expect(JSON.parse(readFileSync(join(configDir, 'vms', 'web.json'), 'utf8'))).toMatchObject({ name: 'web', cpus: 1, memoryMiB: 128, disks: [{ path: disk, format: 'qcow2' }], nics: [{ kind: 'nat' }] });
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect(dialog).toBeHidden();

      const card = page.getByRole('region', { name: 'web' });
      await expect(card.getByTestId('vm-state')).toHaveText('Paused before boot');
      await expect(card).toContainText('TCG (emulated, slow)');
      await card.getByText(/^What the guest sees on its PCI bus/).click();
      const devices = card.getByRole('table', { name: 'PCI devices in web' });
      await expect(devices.getByRole('row').filter({ hasText: '1af4:1000' })).toContainText(/nic0.*02:[0-9a-f]{2}(:[0-9a-f]{2}){4}/);
      await keepScreenshot(page, testInfo, 'vms-page-paused');
      await expectNoSeriousA11yViolations(page);

      await card.getByRole('button', { name: 'Resume' }).click();
      await expect(card.getByTestId('vm-state')).toHaveText('Running');
      await card.getByRole('button', { name: 'Export libvirt XML' }).click();
      await expect(card.getByLabel('libvirt XML of web', { exact: true })).toContainText("<domain type='kvm'>");
      await expect(card.getByRole('link', { name: 'Save web.xml…' })).toHaveAttribute('download', 'web.xml');
      await card.getByRole('button', { name: 'Force stop' }).click();
      await expect(card.getByTestId('vm-note')).toContainText(/^web forced off/);
      await expect(card.getByTestId('vm-state')).toHaveText('Stopped');
      await card.getByRole('button', { name: 'Show log' }).click();
      await expect(card.getByLabel('qemu log of web', { exact: true })).toBeVisible();
      await card.getByRole('button', { name: 'Delete…' }).click();
      await expect(page.getByText('No VMs yet')).toBeVisible();
      expect(existsSync(disk)).toBe(true);
    } finally {
      // Never leave a qemu behind, whatever failed above.
      await page.evaluate(() => (globalThis as unknown as { passthru: { vmStop(n: string, o: object): Promise<unknown> } }).passthru.vmStop('web', { force: true }).catch(() => null));
    }
  });
});
