import { test, expect } from '../support/app';
import { openDetails } from '../support/pages';

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
    await expect(nic.getByRole('button', { name: 'Assign to VFIO…' })).toBeEnabled();
  });

  test('no-iommu: nothing can be assigned while the IOMMU is off, and the button says so', async ({ app }) => {
    const page = await app.open({ fixture: 'no-iommu' });
    const panel = await openDetails(page, '0000:01:00.0');
    const assign = panel.getByRole('button', { name: 'Assign to VFIO…' });
    await expect(assign).toBeDisabled();
    await expect(panel).toContainText('The IOMMU is off');
  });
});
