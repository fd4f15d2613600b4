import { test, expect, keepScreenshot } from '../support/app';
import { expectNoSeriousA11yViolations } from '../support/axe';
import { readinessCheck } from '../support/pages';

test.describe('Overview readiness', () => {
  test('a host without an IOMMU fails the IOMMU check and says what to do', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'no-iommu' });
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
    const iommu = readinessCheck(page, 'iommu-enabled');
    await expect(iommu).toHaveAttribute('data-status', 'fail');
    await expect(iommu).toContainText('Fail');
    await expect(iommu).toContainText(/intel_iommu=on/);
    await expect(iommu).toContainText('What to do');
    await keepScreenshot(page, testInfo, 'overview-no-iommu');
    await expectNoSeriousA11yViolations(page);
  });

  test('the seed host has its IOMMU on, with interrupt remapping and the cmdline argument', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'seed' });
    await expect(readinessCheck(page, 'iommu-enabled')).toHaveAttribute('data-status', 'pass');
    await expect(readinessCheck(page, 'iommu-enabled')).toContainText(/intel|DMAR|VT-d/i);
    await expect(readinessCheck(page, 'interrupt-remapping')).toHaveAttribute('data-status', 'pass');
    await expect(page.getByTestId('cmdline')).toContainText('intel_iommu=on');
    await keepScreenshot(page, testInfo, 'overview-seed');
    await expectNoSeriousA11yViolations(page);
  });
});
