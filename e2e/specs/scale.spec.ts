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
});
