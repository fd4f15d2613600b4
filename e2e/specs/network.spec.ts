import { test, expect, keepScreenshot } from '../support/app';
import { expectNoSeriousA11yViolations } from '../support/axe';
import { goTo } from '../support/pages';

test.describe('Network', () => {
  test('marks the management NIC, the one with the default route', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'seed' });
    await goTo(page, 'Network');
    const marker = 'Management — carries the default route; do not pass through';
    const managed = page.getByRole('row').filter({ hasText: marker });
    await expect(managed).toHaveCount(1);
    await expect(managed).toContainText('e1000e');
    await expect(managed).toContainText('10.0.2.15');
    // The igb, which is what the user wants to pass through, is not marked.
    await expect(page.getByRole('row').filter({ hasText: 'igb' }).filter({ hasText: marker })).toHaveCount(0);
    await keepScreenshot(page, testInfo, 'network-seed');
    await expectNoSeriousA11yViolations(page);
  });

  test('shows the SR-IOV PF → VF tree', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'many-vfs' });
    await goTo(page, 'Network');
    const tree = page.getByRole('list', { name: 'SR-IOV physical functions' });
    await expect(tree).toBeVisible();
    for (const pf of ['0000:01:00.0', '0000:02:00.0', '0000:03:00.0', '0000:04:00.0']) {
      await expect(tree.getByRole('list', { name: `Virtual functions of ${pf}` }).getByRole('listitem')).toHaveCount(7);
    }
    await keepScreenshot(page, testInfo, 'network-many-vfs');
    await expectNoSeriousA11yViolations(page);
  });
});
