/**
 * VMs in the GUI, with real qemu on this machine (TCG; NAT restricted so nothing leaves it):
 * the New-VM wizard checks its fields as typed, previews the checks and the exact qemu
 * command line, creates a new qcow2 and saves the profile, starts it paused; the VMs page
 * shows it paused with its virtio NIC on the guest's PCI bus, resumes it, force-stops it
 * (after the app's own confirmation: Escape backs out), exports it as libvirt XML, and deletes
 * it (confirmed the same way; the disk stays). Profiles and runtime files live in temp dirs.
 *
 * On a snapshot the page and the wizard are a rehearsal, since VMs always run on this machine:
 * they say VMs run on this machine, the pickers list the snapshot's NICs, VFs (driver, verdict,
 * the management NIC flagged) and bridges, the preview is computed against them, Start is off
 * with the reason before any click, and a profile saved then is marked as made against the
 * snapshot.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, fixtureCapturedAt, fixtureRoot, keepScreenshot } from '../support/app';
import { formatTimestamp } from '../../renderer/src/lib/format';
import { expectNoSeriousA11yViolations } from '../support/axe';
import { fixtureWithBridges } from '../support/bridged-host';
import { hostRequest } from '../support/host-request';
import { goTo, openSnapshotFromHeader } from '../support/pages';

/** The browser's own dialogs (alert, confirm, prompt) the page opened: the app must open none. */
function browserDialogs(page: Page): string[] {
  const seen: string[] = [];
  page.on('dialog', (d) => {
    seen.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return seen;
}

/** Screenshots at the two sizes the issue names; `prepare` runs at each size first (a scroll). */
async function keepAtSizes(page: Page, testInfo: Parameters<typeof keepScreenshot>[1], name: string, prepare?: () => Promise<void>): Promise<void> {
  for (const size of [
    { width: 1024, height: 700 },
    { width: 1920, height: 1080 },
  ]) {
    await page.setViewportSize(size);
    await prepare?.();
    await keepScreenshot(page, testInfo, `${name}-${size.width}`);
  }
  await page.setViewportSize({ width: 1400, height: 900 });
}

test.describe('VMs', () => {
  test('create a profile in the wizard, preview the command, start it paused, see it, resume, stop, export, delete', async ({ app }, testInfo) => {
    test.setTimeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'passthru-vms-spec-'));
    const configDir = join(dir, 'config');
    const runtimeDir = join(dir, 'run');
    const disk = join(dir, 'web,1.qcow2');
    // VMs start only while the live host is shown; "Open snapshot…" shows the seed host.
    const page = await app.open({
      fixture: '/',
      pickSnapshot: fixtureRoot('seed'),
      vmDirs: { config: configDir, runtime: runtimeDir },
      vmAccel: 'tcg',
    });
    const dialogs = browserDialogs(page);
    try {
      await expect(page.getByTestId('source')).toContainText('Live host');
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
      expect(JSON.parse(readFileSync(join(configDir, 'vms', 'web.json'), 'utf8'))).toMatchObject({
        name: 'web',
        cpus: 1,
        memoryMiB: 128,
        disks: [{ path: disk, format: 'qcow2' }],
        nics: [{ kind: 'nat' }],
      });
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

      // Force stop asks first, in the app's dialog: what is lost, the gentler way, the safe default.
      const forceStop = card.getByRole('button', { name: 'Force stop…' });
      await expect(forceStop).toBeVisible();
      await forceStop.click();
      const confirmStop = page.getByRole('alertdialog', { name: 'Force stop web?' });
      await expect(confirmStop).toContainText('whatever it has not yet written to its disks is lost');
      await expect(confirmStop).toContainText('"Shut down" asks the guest to power off cleanly instead.');
      await expect(confirmStop.getByRole('button', { name: 'Keep it running' })).toBeFocused();
      // Focus stays in the dialog, and the page behind it cannot be reached.
      for (let i = 0; i < 4; i++) {
        await page.keyboard.press('Tab');
        expect(await confirmStop.evaluate((d) => d.contains(d.ownerDocument.activeElement))).toBe(true);
      }
      await keepAtSizes(page, testInfo, 'vm-confirm-force-stop');
      await expectNoSeriousA11yViolations(page);
      await page.keyboard.press('Escape');
      await expect(confirmStop).toBeHidden();
      await expect(forceStop).toBeFocused();
      await expect(card.getByTestId('vm-state')).toHaveText('Running');
      await forceStop.click();
      await confirmStop.getByRole('button', { name: 'Force stop web' }).click();
      await expect(card.getByTestId('vm-note')).toContainText(/^web forced off/);
      await expect(card.getByTestId('vm-state')).toHaveText('Stopped');
      await card.getByRole('button', { name: 'Show log' }).click();
      await expect(card.getByLabel('qemu log of web', { exact: true })).toBeVisible();

      // On a snapshot this machine's VMs stay listed, but Start is off, saying why, before any click.
      await openSnapshotFromHeader(page, fixtureRoot('seed'));
      await expect(page.getByTestId('source')).toContainText('Snapshot (read-only)');
      await expect(page.getByTestId('vms-rehearsal')).toContainText('VMs run on this machine, not on lab-seed.');
      await expect(card.getByRole('button', { name: 'Start', exact: true })).toBeDisabled();
      await expect(card.getByRole('button', { name: 'Start', exact: true })).toHaveAccessibleDescription(
        /Start is off while a snapshot is shown: go back to the live host to start a VM here\./,
      );
      await expect(card.getByRole('button', { name: 'Start paused' })).toBeDisabled();
      await page.getByRole('button', { name: 'Back to live host' }).click();
      await expect(page.getByTestId('source')).toContainText('Live host');
      await expect(page.getByTestId('vms-rehearsal')).toHaveCount(0);
      await expect(card.getByRole('button', { name: 'Start', exact: true })).toBeEnabled();
      // The app re-reads the source once more on the (debounced, 50 ms) source-change event, which
      // re-mounts the page; a dialog opened before that would go with it.
      await page.waitForTimeout(1000);

      // Delete asks too, and says the disk image is kept (naming it); Escape backs out.
      await card.getByRole('button', { name: 'Delete…' }).click();
      const confirmDelete = page.getByRole('alertdialog', { name: 'Delete the VM web?' });
      await expect(confirmDelete).toContainText("This deletes web's saved settings (its profile). It cannot be undone.");
      await expect(confirmDelete).toContainText('Its disk image is kept, with everything on it:');
      await expect(confirmDelete.getByRole('listitem')).toHaveText(disk);
      await expect(confirmDelete.getByRole('button', { name: 'Cancel' })).toBeFocused();
      await keepAtSizes(page, testInfo, 'vm-confirm-delete');
      await expectNoSeriousA11yViolations(page);
      await page.keyboard.press('Escape');
      await expect(confirmDelete).toBeHidden();
      await expect(card).toBeVisible();
      expect(existsSync(join(configDir, 'vms', 'web.json'))).toBe(true);
      await card.getByRole('button', { name: 'Delete…' }).click();
      await confirmDelete.getByRole('button', { name: 'Delete VM web' }).click();
      await expect(page.getByText('No VMs yet')).toBeVisible();
      await expect(page.getByRole('button', { name: 'New VM…' })).toBeFocused();
      expect(existsSync(disk)).toBe(true);
      expect(existsSync(join(configDir, 'vms', 'web.json'))).toBe(false);
      expect(dialogs).toEqual([]);
    } finally {
      // Never leave a qemu behind, whatever failed above.
      await hostRequest(page, 'vm:stop', { name: 'web', force: true }).catch(() => null);
    }
  });

  test('on a snapshot: a rehearsal against its NICs, VFs and bridges, Start off with the reason, the profile saved and marked', async ({ app }, testInfo) => {
    test.setTimeout(90_000);
    const dir = mkdtempSync(join(tmpdir(), 'passthru-vms-rehearsal-'));
    try {
      const configDir = join(dir, 'config');
      // many-vfs has 4 igb PFs with 7 VFs each and its management NIC (0000:05:00.0, e1000e); bridges added.
      const root = fixtureWithBridges(fixtureRoot('many-vfs'), join(dir, 'many-vfs'), ['br0', 'br-lan']);
      const page = await app.open({ fixture: root, vmDirs: { config: configDir, runtime: join(dir, 'run') }, vmAccel: 'tcg' });
      const dialogs = browserDialogs(page);
      await expect(page.getByTestId('source')).toContainText('Snapshot (read-only)');
      await goTo(page, 'VMs');
      const notice = page.getByTestId('vms-rehearsal');
      await expect(notice).toContainText('VMs run on this machine, not on lab-many-vfs.');
      await expect(notice).toContainText("lists lab-many-vfs's network devices and bridges");
      await expect(notice).toContainText('Start is off while a snapshot is shown');
      await keepAtSizes(page, testInfo, 'vms-page-snapshot');
      await expectNoSeriousA11yViolations(page);

      await page.getByRole('button', { name: 'New VM…' }).click();
      const dialog = page.getByRole('dialog', { name: 'New VM' });
      await expect(dialog.getByTestId('vm-wizard-rehearsal')).toContainText('A rehearsal against the snapshot of lab-many-vfs. VMs run on this machine, not on lab-many-vfs.');
      await dialog.getByRole('textbox', { name: 'Name' }).fill('rehearsal');
      await dialog.getByRole('spinbutton', { name: 'Memory (MiB)' }).fill('512');
      await dialog.getByRole('combobox', { name: 'Kind of NIC 1' }).selectOption('passthrough');
      const device = dialog.getByRole('combobox', { name: 'Device of NIC 1' });
      const options = await device.locator('option').allTextContents();
      // Every network function of the snapshot — 4 PFs, their 28 VFs, the management NIC — with driver and verdict.
      expect(options).toHaveLength(1 + 33);
      expect(options).toContain('0000:01:00.0 enp1s0 82576 Gigabit Network Connection — igb, group 9: Assignable');
      expect(options).toContain('0000:01:10.0 enp1s0v0 82576 Virtual Function (VF) — igbvf, group 14: Assignable');
      expect(options).toContain('0000:04:11.4 enp4s0v6 82576 Virtual Function (VF) — igbvf, group 41: Assignable');
      expect(options).toContain('0000:05:00.0 enp5s0 82574L Gigabit Network Connection — e1000e, group 13: Blocked — management NIC (carries the host network)');
      await device.selectOption('0000:05:00.0');
      const verdict = dialog.getByTestId('nic0-verdict');
      await expect(verdict).toContainText('Blocked');
      await expect(verdict).toContainText('Management');
      await expect(verdict).toContainText("0000:05:00.0 is needed by this host: it carries the host's default IPv4 and IPv6 route (enp5s0).");
      await expect(device).toHaveAccessibleDescription(/Blocked/);
      await device.selectOption('0000:01:10.0');
      await expect(verdict).toContainText('Assignable');
      await dialog.getByRole('button', { name: 'Add NIC' }).click();
      await dialog.getByRole('combobox', { name: 'Kind of NIC 2' }).selectOption('bridge');
      const bridge = dialog.getByRole('combobox', { name: 'Bridge of NIC 2' });
      expect(await bridge.locator('option').allTextContents()).toEqual(['br-lan', 'br0']);
      await bridge.selectOption('br0');
      const toEnd = () => dialog.locator('.wizard__body').evaluate((body) => body.scrollTo(0, body.scrollHeight));
      await keepAtSizes(page, testInfo, 'vm-wizard-snapshot-settings', toEnd);
      await expectNoSeriousA11yViolations(page);
      await dialog.getByRole('button', { name: 'Check and preview' }).click();

      await expect(dialog.getByRole('list', { name: 'Wizard steps' }).locator('[aria-current="step"]')).toHaveText('2. Preview');
      await expect(dialog.getByTestId('vm-preview-against')).toContainText(
        `Computed against the snapshot of lab-many-vfs (captured ${formatTimestamp(fixtureCapturedAt('many-vfs'))})`,
      );
      // KVM as the snapshot recorded it (no /dev/kvm there), not this machine's.
      await expect(dialog.getByTestId('vm-preview-accel')).toHaveText('No KVM acceleration on lab-many-vfs as captured: qemu would emulate the CPU (TCG), which is much slower.');
      await expect(dialog).toContainText('lab-many-vfs had no /dev/kvm when the snapshot was taken');
      await expect(dialog.locator('[data-check="host"]')).toContainText('VMs run on this machine, not on lab-many-vfs');
      await expect(dialog.locator('[data-check="nic0-driver"]')).toContainText('0000:01:10.0 (Intel Corporation 82576 Virtual Function) is on igbvf, not vfio-pci.');
      await expect(dialog.locator('[data-check="nic1-bridge"]')).toContainText('br0 is a bridge on lab-many-vfs (the snapshot).');
      // The checks number the NICs as the form does, say their remedies in words and offer the fix as a button.
      await expect(dialog.locator('[data-check="nic0-driver"] .check__title')).toHaveText('NIC 1: passthrough 0000:01:10.0 on vfio-pci');
      await expect(dialog.locator('[data-check="nic1-bridge"] .check__title')).toHaveText('NIC 2: bridge br0');
      await expect(dialog.locator('[data-check="nic0-driver"]')).toContainText('What to do: Assign it to vfio-pci first.');
      await expect(dialog.locator('[data-check="nic0-driver"]').getByRole('button', { name: 'Assign 0000:01:10.0 to vfio-pci…' })).toBeVisible();
      expect(await dialog.getByRole('list', { name: 'Checks' }).textContent()).not.toMatch(/passthru |--[a-z]/);
      await expect(dialog.locator('[data-check="memlock"]')).toContainText('A snapshot does not record the locked-memory limit');
      const command = dialog.getByLabel('qemu command line', { exact: true });
      await expect(command).toContainText('vfio-pci,host=0000:01:10.0');
      await expect(command).toContainText('accel=tcg');
      await expect(command).toContainText('-m 512');
      // Start is off, with the reason beside it, before anyone clicks.
      for (const name of ['Save and start', 'Save and start paused']) {
        const start = dialog.getByRole('button', { name, exact: true });
        await expect(start).toBeDisabled();
        await expect(start).toHaveAccessibleDescription(
          'Start is off: The app is showing a snapshot of lab-many-vfs. VMs run on this machine, not on lab-many-vfs: go back to the live host to start one.',
        );
      }
      await expect(dialog.getByTestId('vm-start-off')).toBeVisible();
      await keepAtSizes(page, testInfo, 'vm-wizard-snapshot-preview', toEnd);
      await expectNoSeriousA11yViolations(page);

      await dialog.getByRole('button', { name: 'Save (made against this snapshot)' }).click();
      await expect(dialog.getByTestId('vm-wizard-outcome')).toHaveText(
        'Saved rehearsal, marked as made against the snapshot of lab-many-vfs. Start it from the VMs page once back on the live host.',
      );
      const saved = JSON.parse(readFileSync(join(configDir, 'vms', 'rehearsal.json'), 'utf8')) as { madeAgainst: unknown; nics: unknown };
      expect(saved.madeAgainst).toEqual({ hostname: 'lab-many-vfs', capturedAt: fixtureCapturedAt('many-vfs'), root });
      expect(saved.nics).toEqual([
        { kind: 'passthrough', address: '0000:01:10.0' },
        { kind: 'bridge', bridge: 'br0' },
      ]);
      await dialog.getByRole('button', { name: 'Close' }).click();

      const card = page.getByRole('region', { name: 'rehearsal' });
      await expect(card.getByTestId('vm-made-against')).toContainText(`Made against the snapshot of lab-many-vfs (captured ${formatTimestamp(fixtureCapturedAt('many-vfs'))})`);
      await expect(card.getByRole('button', { name: 'Start', exact: true })).toBeDisabled();
      await expect(card.getByRole('button', { name: 'Start', exact: true })).toHaveAccessibleDescription(/^Start is off while a snapshot is shown/);
      // Main refuses too, whatever a renderer sends.
      const refused = await hostRequest(page, 'vm:start', { name: 'rehearsal' });
      expect(refused.ok ? 'started' : refused.error.message).toContain('VMs run on this machine, not on lab-many-vfs');
      expect(existsSync(join(dir, 'run', 'rehearsal', 'qemu.pid'))).toBe(false);
      await keepAtSizes(page, testInfo, 'vms-page-snapshot-saved');
      expect(dialogs).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
