import { test, expect, keepScreenshot } from '../support/app';
import { expectNoSeriousA11yViolations } from '../support/axe';
import { goTo } from '../support/pages';

test.describe('IOMMU groups', () => {
  test('says which groups can be passed through, and why, naming the members: the shared NICs, the blocked management NIC', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'shared-group' });
    await goTo(page, 'IOMMU groups');
    // The two NICs behind the pcie-pci-bridge (e1000 and 8139cp/8139too) share one group.
    const shared = page.locator('section[data-verdict="shared"]').filter({ hasText: 'e1000' }).filter({ hasText: /8139/ });
    await expect(shared).toHaveCount(1);
    await expect(shared.locator('.badge')).toHaveText('Shared');
    const why = shared.getByRole('list', { name: /^Why group \d+ is shared$/ });
    await expect(why).toContainText('0000:02:01.0 (e1000) and 0000:02:02.0 (8139cp)');
    await expect(why).toContainText('Bridges in the group (0000:01:00.0) stay with the host');
    // What keeps them together, and the options, with a way to the topology.
    await expect(shared.getByRole('list', { name: /^What joins the devices of group/ })).toContainText(
      'sit behind 0000:01:00.0 (PCI bridge), a bridge to conventional PCI, which cannot isolate what is behind it',
    );
    await expect(shared.getByRole('list', { name: /^Options for group/ })).toContainText('pcie_acs_override=');
    // Blocked: the management NIC, and the two 9p transports the lab guest mounts (its root's lower layer, its I/O share).
    const blocked = page.locator('section[data-verdict="blocked"]');
    await expect(blocked).toHaveCount(3);
    await expect(blocked.filter({ hasText: '0000:00:11.0' })).toContainText('mounted at /lab/io');
    await expect(blocked.filter({ hasText: '(enp3s0)' })).toContainText("carries the host's default IPv4 and IPv6 route (enp3s0)");
    await expect(blocked.filter({ hasText: '0000:00:10.0' })).toContainText('it holds the filesystem mounted at /lab/lower');
    // The filter is by verdict; nothing is called "viable" as the verdict any more.
    await page.getByLabel('Show').selectOption('host-only');
    await expect(page.locator('section[data-verdict]').first()).toHaveAttribute('data-verdict', 'host-only');
    await page.getByLabel('Show').selectOption('all');
    await shared.getByRole('link', { name: /^See where group \d+ sits in the topology$/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Topology' })).toBeVisible();
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
