import { test, expect, keepScreenshot } from '../support/app';
import { expectNoSeriousA11yViolations } from '../support/axe';
import { goTo } from '../support/pages';

test.describe('IOMMU groups', () => {
  test('explains why the shared group is not viable, naming each blocking member', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'shared-group' });
    await goTo(page, 'IOMMU groups');
    const notViable = page.locator('section[data-viable="false"], [role=region][data-viable="false"]');
    await expect(notViable.first()).toBeVisible();
    // The two NICs behind the pcie-pci-bridge (e1000 and 8139cp/8139too) share one group.
    const shared = notViable.filter({ hasText: 'e1000' }).filter({ hasText: /8139/ });
    await expect(shared).toHaveCount(1);
    await expect(shared).toContainText('Not viable');
    const why = shared.getByRole('list', { name: /^Why group \d+ is not viable$/ });
    await expect(why).toContainText('is bound to e1000');
    await expect(why).toContainText(/every device in the group must be on vfio-pci, pci-stub, have no driver, or be a bridge/);
    await keepScreenshot(page, testInfo, 'groups-shared-group');
    await expectNoSeriousA11yViolations(page);
  });

  test('a host without IOMMU explains that there are no groups', async ({ app }) => {
    const page = await app.open({ fixture: 'no-iommu' });
    await goTo(page, 'IOMMU groups');
    await expect(page.getByRole('main')).toContainText(/no IOMMU groups/i);
    await expectNoSeriousA11yViolations(page);
  });
});
