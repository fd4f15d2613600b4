import { test, expect, keepScreenshot } from '../support/app';
import { expectNoSeriousA11yViolations } from '../support/axe';
import { goTo } from '../support/pages';

test.describe('Topology', () => {
  test('draws the PCI tree with groups boxed and the non-viable group marked', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'shared-group' });
    await goTo(page, 'Topology');
    const picture = page.getByRole('img', { name: /^PCI topology/ });
    await expect(picture).toBeVisible();
    const groups = page.getByTestId('topology-group');
    expect(await groups.count()).toBeGreaterThan(3);
    const notViable = page.locator('[data-testid=topology-group][data-viable=false]');
    await expect(notViable.first()).toBeVisible();
    await expect(page.getByText(/Group \d+ · not viable/).first()).toBeVisible();
    await expect(page.getByRole('list', { name: 'Legend' })).toBeVisible();
    await keepScreenshot(page, testInfo, 'topology-shared-group');
    await expectNoSeriousA11yViolations(page);
  });
});
