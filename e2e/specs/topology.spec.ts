import { test, expect, keepScreenshot } from '../support/app';
import { expectNoSeriousA11yViolations } from '../support/axe';
import { goTo } from '../support/pages';

test.describe('Topology', () => {
  test('draws the PCI tree with groups boxed and their verdicts written in; each function is a keyboard-reachable link to its details', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'shared-group' });
    await goTo(page, 'Topology');
    const picture = page.getByRole('group', { name: /^PCI topology/ });
    await expect(picture).toBeVisible();
    const groups = page.getByTestId('topology-group');
    expect(await groups.count()).toBeGreaterThan(3);
    // The verdict, not the kernel's "viable": the NICs behind the PCI bridge share a group, the management NIC's is blocked.
    await expect(page.locator('[data-testid=topology-group][data-verdict=shared]').first()).toBeVisible();
    await expect(page.getByText(/Group \d+ · shared/).first()).toBeVisible();
    await expect(page.getByText(/Group \d+ · blocked/).first()).toBeVisible();
    await expect(page.getByText(/not viable/)).toHaveCount(0);
    await expect(page.getByRole('list', { name: 'Legend' })).toBeVisible();
    // Keyboard: Tab reaches a function in the picture; Enter opens its details.
    const e1000 = picture.getByRole('link', { name: /^0000:02:01\.0 .*IOMMU group/ });
    await e1000.focus();
    await expect(e1000).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: 'Devices' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Device details' })).toContainText('0000:02:01.0');
    await keepScreenshot(page, testInfo, 'topology-shared-group');
    await goTo(page, 'Topology');
    await expectNoSeriousA11yViolations(page);
  });
});
