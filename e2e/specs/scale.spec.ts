import { rmSync } from 'node:fs';
import { test, expect, keepScreenshot } from '../support/app';
import { buildLargeHost, LARGE_HOST_FUNCTIONS } from '../support/large-host';
import { devicesGrid, goTo, renderedAddresses } from '../support/pages';

test.describe('A host with thousands of functions', () => {
  let root = '';
  test.beforeAll(() => {
    root = buildLargeHost();
  });
  test.afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('the devices table stays virtualized and reaches every row from the keyboard', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: root });
    await goTo(page, 'Devices');
    await expect(page.getByRole('status').filter({ hasText: 'devices' })).toContainText(`${LARGE_HOST_FUNCTIONS} devices`);
    const grid = devicesGrid(page);
    await expect(grid).toHaveAttribute('aria-rowcount', String(LARGE_HOST_FUNCTIONS + 1));

    // Only a window of rows is in the DOM, however many devices there are.
    const rendered = await renderedAddresses(page);
    expect(rendered.length).toBeGreaterThan(5);
    expect(rendered.length).toBeLessThan(100);

    // End jumps to the last device; the DOM is still bounded.
    await grid.getByRole('row', { name: /^0000:00:00\.0 / }).focus();
    await page.keyboard.press('End');
    await expect(grid.getByRole('row', { name: /^0000:fa:11\.4 / })).toBeVisible();
    expect((await renderedAddresses(page)).length).toBeLessThan(100);

    // Search across all rows, not just the rendered ones.
    await page.getByRole('searchbox', { name: 'Search' }).fill('0000:fa:');
    await expect(page.getByRole('status').filter({ hasText: /Showing/ })).toContainText('Showing 8 of');
    await keepScreenshot(page, testInfo, 'devices-large-host');
  });

  test('sorted by verdict and grouped, it stays bounded and names the group in view at the end', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: root });
    await goTo(page, 'Devices');
    const grid = devicesGrid(page);
    await expect(grid).toHaveAttribute('aria-rowcount', String(LARGE_HOST_FUNCTIONS + 1));
    const verdict = grid.getByRole('columnheader', { name: 'Passthrough' });
    await verdict.getByRole('button').click();
    await expect(verdict).toHaveAttribute('aria-sort', 'ascending');
    expect((await renderedAddresses(page)).length).toBeLessThan(100);

    await page.getByRole('checkbox', { name: 'Group by IOMMU group' }).check();
    await grid.locator('[role=row][data-address]').first().focus();
    await page.keyboard.press('End');
    await expect(grid.locator('[role=row][data-address]:focus')).toBeVisible();
    expect((await renderedAddresses(page)).length).toBeLessThan(100);
    // The first line under the column headers is the header of the group the rows below belong to.
    const top = await grid.evaluate((g) => {
      const head = g.querySelector('[role=row][aria-rowindex="1"]')!.getBoundingClientRect();
      const seen = g.ownerDocument.elementFromPoint(head.left + 20, head.bottom + 5)?.closest('[role=row]');
      const below = g.ownerDocument.elementFromPoint(head.left + 20, head.bottom + 60)?.closest('[role=row]');
      return { seen: seen?.querySelector('strong')?.textContent ?? seen?.getAttribute('data-address') ?? '', below: below?.getAttribute('aria-rowindex') ?? '' };
    });
    expect(top.seen).toMatch(/^(IOMMU group \d+|No IOMMU group)$/);
    await keepScreenshot(page, testInfo, 'devices-large-host-grouped-end');
  });
});
