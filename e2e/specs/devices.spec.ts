import { test, expect, keepScreenshot } from '../support/app';
import { expectNoSeriousA11yViolations } from '../support/axe';
import { devicesGrid, goTo, renderedAddresses } from '../support/pages';

test.describe('Devices table', () => {
  test('sorts, searches, filters and groups the PCI functions of the many-VFs host', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'many-vfs' });
    await goTo(page, 'Devices');
    const grid = devicesGrid(page);
    await expect(grid).toBeVisible();

    // Default order is by address.
    const initial = await renderedAddresses(page);
    expect(initial.length).toBeGreaterThan(10);
    expect(initial).toEqual([...initial].sort());

    // Sorting by address descending reverses it; the header says so.
    const addressHeader = grid.getByRole('columnheader', { name: 'Address' });
    await addressHeader.getByRole('button', { name: 'Address' }).click();
    await addressHeader.getByRole('button', { name: 'Address' }).click();
    await expect(addressHeader).toHaveAttribute('aria-sort', 'descending');
    const descending = await renderedAddresses(page);
    expect(descending[0]! > descending[descending.length - 1]!).toBe(true);

    // Sorting by driver with the keyboard groups igbvf VFs together.
    const driverButton = grid.getByRole('columnheader', { name: 'Driver' }).getByRole('button', { name: 'Driver' });
    await driverButton.focus();
    await page.keyboard.press('Enter');
    await expect(grid.getByRole('columnheader', { name: 'Driver' })).toHaveAttribute('aria-sort', 'ascending');

    // Search narrows to the VFs (igbvf) and says how many are shown.
    await page.getByRole('searchbox', { name: 'Search' }).fill('igbvf');
    await expect(page.getByRole('status').filter({ hasText: /Showing \d+ of \d+ devices/ })).toContainText('Showing 28 of');
    for (const address of await renderedAddresses(page)) expect(address).toMatch(/^0000:0[1-4]:1[0-1]\.[0-7]$/);

    // Class filter: only network devices.
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await page.getByRole('combobox', { name: 'Class' }).selectOption('network');
    await expect(page.getByRole('status').filter({ hasText: /Showing/ })).toContainText('Showing 33 of');
    await page.getByRole('button', { name: 'Clear filters' }).click();

    // Group by IOMMU group shows group header rows.
    await page.getByRole('checkbox', { name: 'Group by IOMMU group' }).check();
    await expect(grid.getByRole('row', { name: /^IOMMU group \d+/ }).first()).toBeVisible();
    await keepScreenshot(page, testInfo, 'devices-many-vfs-grouped');
    await expectNoSeriousA11yViolations(page);
  });

  test('opens a detail panel with the device, its group and its VFs', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'many-vfs' });
    await goTo(page, 'Devices');
    await page.getByRole('searchbox', { name: 'Search' }).fill('0000:01:00.0');
    const row = devicesGrid(page).getByRole('row', { name: /^0000:01:00\.0 / });
    await row.click();
    await page.keyboard.press('Enter');
    const panel = page.getByRole('region', { name: 'Device details' });
    await expect(panel).toBeVisible();
    await expect(panel).toContainText('82576');
    await expect(panel).toContainText('igb');
    await expect(panel.getByRole('table', { name: 'Virtual functions of 0000:01:00.0' }).locator('tbody tr')).toHaveCount(7);
    await keepScreenshot(page, testInfo, 'devices-detail-panel');
    await expectNoSeriousA11yViolations(page);
    await page.keyboard.press('Escape');
    await expect(panel).toBeHidden();
  });

  test('this machine: every device with names, ids and driver', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'this-machine' });
    await goTo(page, 'Devices');
    await expect(devicesGrid(page).getByRole('row', { name: /^0000:00:03\.0 / })).toContainText('Virtio 1.0 network device');
    await expect(devicesGrid(page).getByRole('row', { name: /^0000:00:03\.0 / })).toContainText('virtio-pci');
    expect(await renderedAddresses(page)).toHaveLength(6);
    await keepScreenshot(page, testInfo, 'devices-this-machine');
  });
});
