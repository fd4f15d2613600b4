/**
 * SR-IOV in the GUI against the many-VFs fixture (four 82576 PFs with 7 VFs each): the detail
 * panel's SR-IOV section, the "Set number of VFs…" wizard up to the plan preview, and the
 * "Configure…" dialog for one VF. Planning works on a fixture root; applying is refused
 * because it is not the live host, and the wizard says so.
 */
import { test, expect, keepScreenshot } from '../support/app';
import { expectNoSeriousA11yViolations } from '../support/axe';
import { currentStep, openDetails } from '../support/pages';

const PF = '0000:01:00.0';
/** A snapshot is read-only: the plan says so before Apply, which stays off. */
const NO_KERNEL = 'This is a snapshot: Passthru shows it read-only and changes nothing.';

test.describe('SR-IOV', () => {
  test('the detail panel of a PF lists its VFs with their settings and actions', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'many-vfs' });
    const panel = await openDetails(page, PF);
    const section = panel.getByRole('region', { name: 'SR-IOV' });
    await expect(section).toBeVisible();
    await expect(section.getByRole('definition').nth(0)).toHaveText('7'); // Total VFs
    await expect(section.getByRole('definition').nth(1)).toHaveText('7'); // VFs enabled
    await expect(section).toContainText('Autoprobe new VFs');

    const table = section.getByRole('table', { name: `Virtual functions of ${PF}` });
    for (const header of ['VF', 'Address', 'MAC', 'VLAN', 'Trust', 'Spoof check', 'Link state', 'Driver', 'IOMMU group', 'In use by']) {
      await expect(table.getByRole('columnheader', { name: header, exact: true })).toBeVisible();
    }
    const rows = table.locator('tbody tr');
    await expect(rows).toHaveCount(7);
    await expect(rows.nth(0)).toContainText('0000:01:10.0');
    await expect(rows.nth(0)).toContainText('igbvf');
    await expect(rows.nth(6)).toContainText('0000:01:11.4');
    await expect(section.getByRole('button', { name: /^Configure… \(VF \d, / })).toHaveCount(7);

    // A VF address in the table opens that VF, which points back to its PF.
    await rows.nth(2).getByRole('button', { name: '0000:01:10.4', exact: true }).click();
    await expect(panel.getByRole('region', { name: 'SR-IOV' })).toContainText(`Virtual function 2 of ${PF}`);
    await expect(panel.getByRole('button', { name: 'Configure this VF…' })).toBeVisible();
    await panel.getByRole('region', { name: 'SR-IOV' }).getByRole('button', { name: PF, exact: true }).click();
    await expect(panel.getByRole('table', { name: `Virtual functions of ${PF}` })).toBeVisible();

    await table.scrollIntoViewIfNeeded();
    await keepScreenshot(page, testInfo, 'sriov-detail-panel');
    await expectNoSeriousA11yViolations(page);
  });

  test('"Set number of VFs…" validates the count, plans through 0 and says before Apply that a snapshot cannot be changed', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'many-vfs' });
    const panel = await openDetails(page, PF);
    // Keyboard: focus the button and press Enter.
    await panel.getByRole('button', { name: 'Set number of VFs…' }).focus();
    await page.keyboard.press('Enter');

    const dialog = page.getByRole('dialog', { name: `Set the number of VFs of ${PF}` });
    await expect(dialog).toBeVisible();
    await expect(currentStep(dialog)).toHaveText('1. Settings');
    // Said on the first step: a snapshot's plan is for reading, not applying.
    await expect(dialog.getByRole('note')).toContainText('This is a snapshot');
    const count = dialog.getByRole('spinbutton', { name: 'Number of VFs' });
    await expect(count).toBeFocused();
    await expect(count).toHaveValue('7');
    const check = dialog.getByRole('button', { name: 'Check', exact: true });

    await count.fill('8');
    await expect(count).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog).toContainText('This device supports at most 7 VFs (its sriov_totalvfs): enter a number from 0 to 7.');
    await expect(check).toBeDisabled();
    await count.fill('-1');
    await expect(dialog).toContainText('The number of VFs cannot be negative');
    await expect(check).toBeDisabled();
    await count.fill('');
    await expect(dialog).toContainText('Enter a number of VFs from 0 to 7.');

    await count.fill('3');
    await expect(count).not.toHaveAttribute('aria-invalid', 'true');
    await dialog.getByRole('checkbox', { name: 'Keep new VFs without a host driver (for VMs)' }).check();
    await dialog.getByRole('checkbox', { name: 'Recreate at boot' }).check();
    await keepScreenshot(page, testInfo, 'sriov-wizard-settings');
    await expectNoSeriousA11yViolations(page);
    // Enter in the field submits the form.
    await count.press('Enter');

    await expect(currentStep(dialog)).toHaveText('2. Checks');
    await expect(dialog.getByRole('list', { name: 'Checks' })).toBeVisible();
    await expect(dialog).toContainText(NO_KERNEL);
    await keepScreenshot(page, testInfo, 'sriov-wizard-checks');
    await dialog.getByRole('button', { name: 'Review the plan' }).click();

    await expect(currentStep(dialog)).toHaveText('3. Plan');
    const steps = dialog.getByRole('list', { name: 'Plan steps' });
    // 7 → 3 goes through 0: the kernel refuses N → M otherwise.
    await expect(steps).toContainText(`echo 0 > /sys/bus/pci/devices/${PF}/sriov_numvfs`);
    await expect(steps).toContainText(`echo 3 > /sys/bus/pci/devices/${PF}/sriov_numvfs`);
    await expect(steps).toContainText('sriov_drivers_autoprobe');
    // "Recreate at boot": the files written are listed up front and in full in their step.
    await expect(dialog.getByRole('list', { name: 'Files this plan writes' })).toContainText('/etc/');
    await expect(dialog.getByText('Writes', { exact: true }).first()).toBeVisible();
    await expect(dialog.getByRole('link', { name: 'Save as script…' })).toHaveAttribute('download', /^passthru-sriov-0000-01-00-0\.sh$/);
    await expect(dialog.getByRole('button', { name: 'Copy commands for step 1' })).toBeVisible();
    await keepScreenshot(page, testInfo, 'sriov-wizard-plan');
    await expectNoSeriousA11yViolations(page);

    await expect(dialog.getByRole('button', { name: 'Apply' })).toBeDisabled();
    await expect(dialog.getByRole('button', { name: 'Apply' })).toHaveAccessibleDescription(/nothing here can run these steps/);
    await expect(dialog).toContainText(NO_KERNEL);
    // Nothing changed: still 7 VFs.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    await expect(panel.getByRole('table', { name: `Virtual functions of ${PF}` }).locator('tbody tr')).toHaveCount(7);
  });

  test('"Configure…" a VF: MAC checked as typed, generated, VLAN range, only changes sent, plan preview', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'many-vfs' });
    const panel = await openDetails(page, PF);
    await panel.getByRole('button', { name: 'Configure… (VF 1, 0000:01:10.2)' }).click();

    const dialog = page.getByRole('dialog', { name: `Configure VF 1 of ${PF}` });
    await expect(dialog).toBeVisible();
    await expect(currentStep(dialog)).toHaveText('1. Settings');
    const check = dialog.getByRole('button', { name: 'Check', exact: true });
    await expect(check).toBeDisabled();

    const mac = dialog.getByRole('textbox', { name: 'MAC address' });
    await mac.fill('01:00:5e:00:00:01');
    await expect(mac).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog).toContainText('01:00:5e:00:00:01 is a multicast (or broadcast) address');
    await mac.fill('02:00:00:00:00');
    await expect(dialog).toContainText('is not a MAC address');
    await expect(check).toBeDisabled();
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await expect(mac).toHaveValue(/^[0-9a-f][26ae](:[0-9a-f]{2}){5}$/);
    await expect(mac).not.toHaveAttribute('aria-invalid', 'true');
    const generated = await mac.inputValue();

    const vlan = dialog.getByRole('spinbutton', { name: 'VLAN' });
    const qos = dialog.getByRole('spinbutton', { name: 'Priority (QoS)' });
    await vlan.fill('4096');
    await expect(dialog).toContainText('The VLAN must be a whole number from 0 (untagged) to 4095.');
    await expect(check).toBeDisabled();
    await vlan.fill('0');
    await expect(qos).toBeDisabled();
    await vlan.fill('10');
    await expect(qos).toBeEnabled();
    await qos.fill('9');
    await expect(dialog).toContainText('The priority must be a whole number from 0 to 7.');
    await qos.fill('3');
    await dialog.getByRole('combobox', { name: 'Trust' }).selectOption('on');
    await expect(dialog.getByRole('status').filter({ hasText: 'Will set:' })).toHaveText(`Will set: MAC ${generated}, VLAN 10 (priority 3), trust on.`);
    await keepScreenshot(page, testInfo, 'vf-config-settings');
    await expectNoSeriousA11yViolations(page);
    await check.click();

    await expect(currentStep(dialog)).toHaveText('2. Checks');
    await dialog.getByRole('button', { name: 'Review the plan' }).click();
    await expect(currentStep(dialog)).toHaveText('3. Plan');
    const steps = dialog.getByRole('list', { name: 'Plan steps' });
    await expect(steps).toContainText('vf 1');
    await expect(steps).toContainText(`mac ${generated}`);
    await expect(steps).toContainText('vlan 10');
    await keepScreenshot(page, testInfo, 'vf-config-plan');

    // Back to the settings keeps what was typed.
    await dialog.getByRole('button', { name: 'Back' }).click();
    await dialog.getByRole('button', { name: 'Back' }).click();
    await expect(currentStep(dialog)).toHaveText('1. Settings');
    await expect(mac).toHaveValue(generated);
    await check.click();
    await dialog.getByRole('button', { name: 'Review the plan' }).click();
    await expect(dialog.getByRole('button', { name: 'Apply' })).toBeDisabled();
    await expect(dialog).toContainText(NO_KERNEL);
  });
});
