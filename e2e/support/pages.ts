/** Page-object helpers: navigation and the selectors the specs share. */
import { expect, type Locator, type Page } from '@playwright/test';

export type PageName = 'Overview' | 'Devices' | 'IOMMU groups' | 'Network' | 'Topology' | 'VMs' | 'History';

export async function goTo(page: Page, name: PageName): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

export const devicesGrid = (page: Page) => page.getByRole('grid', { name: 'PCI devices' });

/** Addresses of the device rows currently rendered, top to bottom. */
export async function renderedAddresses(page: Page): Promise<string[]> {
  return devicesGrid(page)
    .locator('[role=row][data-address]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-address') ?? ''));
}

export const readinessCheck = (page: Page, id: string) => page.locator(`[data-check="${id}"]`);

/** Opens the detail panel of one device from the Devices table (search, select, Enter). */
export async function openDetails(page: Page, address: string) {
  await goTo(page, 'Devices');
  await page.getByRole('searchbox', { name: 'Search' }).fill(address);
  const row = devicesGrid(page).getByRole('row', { name: new RegExp(`^${address.replace(/[.]/g, '\\.')} `) });
  await row.click();
  await page.keyboard.press('Enter');
  const panel = page.getByRole('region', { name: 'Device details' });
  await expect(panel).toContainText(address);
  return panel;
}

/**
 * Opens the snapshot at `path` with the header's "Open snapshot…": in Electron the native picker
 * answers (stubbed by `app.open({ pickSnapshot })`); in a browser the page asks for the path.
 */
export async function openSnapshotFromHeader(page: Page, path: string): Promise<void> {
  await page.getByRole('button', { name: 'Open snapshot…' }).click();
  if (await page.evaluate(() => 'passthru' in globalThis)) return;
  const dialog = page.getByRole('dialog', { name: 'Open a snapshot' });
  await dialog.getByLabel('Snapshot folder on the host running Passthru').fill(path);
  await dialog.getByRole('button', { name: 'Open', exact: true }).click();
}

/** The step a change wizard is on, in its step bar ("2. Checks"). */
export const currentStep = (dialog: Locator) => dialog.getByRole('list', { name: 'Wizard steps' }).locator('[aria-current="step"]');
