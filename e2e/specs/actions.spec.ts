import { test, expect } from '../support/app';
import { devicesGrid, goTo, openDetails } from '../support/pages';

/**
 * An action the host could only refuse is shown disabled with its reason, before any wizard
 * opens; one it refuses unless the user insists (the management NIC) stays available.
 */
test.describe('Device actions say up front what cannot be done', () => {
  test('seed: a root port cannot be assigned (disabled, with why); the management NIC can, with a confirmation', async ({ app }) => {
    const page = await app.open({ fixture: 'seed' });
    const port = await openDetails(page, '0000:00:02.0');
    const assign = port.getByRole('button', { name: 'Assign to VFIO…' });
    await expect(assign).toBeDisabled();
    await expect(assign).toHaveAccessibleDescription(/Bridges and ports stay with the host/);
    const nic = await openDetails(page, '0000:02:00.0');
    const assignNic = nic.getByRole('button', { name: 'Assign to VFIO…' });
    await expect(assignNic).toBeEnabled();
    // Blocked as a verdict, yet the user may insist: the cost is said before the click.
    await expect(assignNic).toHaveAccessibleDescription("It carries this host's network: the host loses that network, so the wizard asks you to confirm first.");
  });

  test('no-iommu: nothing can be assigned while the IOMMU is off, and the button says so', async ({ app }) => {
    const page = await app.open({ fixture: 'no-iommu' });
    const panel = await openDetails(page, '0000:01:00.0');
    const assign = panel.getByRole('button', { name: 'Assign to VFIO…' });
    await expect(assign).toBeDisabled();
    await expect(panel).toContainText('The IOMMU is off');
  });

  test("the Devices table's A key opens the same action, or says why it cannot, without opening a wizard", async ({ app }) => {
    const page = await app.open({ fixture: 'seed' });
    await goTo(page, 'Devices');
    const grid = devicesGrid(page);
    await grid.locator('[data-address="0000:00:02.0"]').focus();
    await page.keyboard.press('a');
    await expect(page.getByTestId('devices-note')).toHaveText(
      '0000:00:02.0: “Assign to VFIO…” is not available. Bridges and ports stay with the host; a device behind it can be assigned instead.',
    );
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await grid.locator('[data-address="0000:02:00.0"]').focus();
    await page.keyboard.press('a');
    await expect(page.getByRole('dialog', { name: /^Assign 0000:02:00\.0/ })).toBeVisible();
  });

  test('no-iommu: the A key says the IOMMU is off instead of opening a wizard that would refuse', async ({ app }) => {
    const page = await app.open({ fixture: 'no-iommu' });
    await goTo(page, 'Devices');
    await devicesGrid(page).locator('[data-address="0000:01:00.0"]').focus();
    await page.keyboard.press('a');
    await expect(page.getByTestId('devices-note')).toContainText('The IOMMU is off');
    await expect(page.getByRole('dialog')).toHaveCount(0);
  });
});
