import { cpSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect, fixtureRoot, keepScreenshot } from '../support/app';
import { expectNoSeriousA11yViolations } from '../support/axe';
import { devicesGrid, goTo, openDetails, openSnapshotFromHeader, renderedAddresses } from '../support/pages';

/** The two window sizes the table is checked at: a small laptop and a full-HD screen. */
const SIZES = [
  { width: 1024, height: 700 },
  { width: 1920, height: 1080 },
] as const;

/** The 28 VFs of the many-VFs host: 7 under each of the four 82576 PFs. */
const MANY_VFS_VFS = [1, 2, 3, 4].flatMap((bus) => ['10.0', '10.2', '10.4', '10.6', '11.0', '11.2', '11.4'].map((fn) => `0000:0${bus}:${fn}`));
const MANY_VFS_ROOT_PORTS = ['0000:00:02.0', '0000:00:03.0', '0000:00:04.0', '0000:00:05.0', '0000:00:06.0'];

async function openDevices(page: Page, size?: { width: number; height: number }): Promise<Locator> {
  if (size) await page.setViewportSize(size);
  await goTo(page, 'Devices');
  const grid = devicesGrid(page);
  await expect(grid).toBeVisible();
  return grid;
}

/** Turns every column on through the chooser, so the table is wider than any window. */
async function showAllColumns(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Columns…' }).click();
  await page.getByRole('dialog', { name: 'Columns shown' }).getByRole('button', { name: 'All columns' }).click();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Columns shown' })).toBeHidden();
}

/** Makes the table wider than the window if it is not already (at 1920 px the defaults fit). */
async function ensureSidewaysScroll(page: Page, grid: Locator): Promise<void> {
  if (!(await grid.evaluate((g) => g.scrollWidth > g.clientWidth))) await showAllColumns(page);
  expect(await grid.evaluate((g) => g.scrollWidth > g.clientWidth), 'the table scrolls sideways').toBe(true);
}

const headerNames = (grid: Locator) => grid.getByRole('columnheader').evaluateAll((hs) => hs.map((h) => h.textContent?.trim() ?? ''));

async function box(l: Locator) {
  const b = await l.boundingBox();
  if (!b) throw new Error('not rendered');
  return b;
}

/** Every device row of the grid, top to bottom, read by scrolling it from top to bottom. */
async function allRows(grid: Locator): Promise<{ address: string; verdict: string }[]> {
  const seen = new Map<string, { address: string; verdict: string; index: number }>();
  await grid.evaluate((g) => (g.scrollTop = 0));
  for (;;) {
    const rows = await grid.locator('[role=row][data-address]').evaluateAll((rs) =>
      rs.map((r) => ({
        address: r.getAttribute('data-address') ?? '',
        verdict: r.querySelector('[data-verdict]')?.getAttribute('data-verdict') ?? '',
        index: Number(r.getAttribute('aria-rowindex')),
      })),
    );
    for (const r of rows) seen.set(r.address, r);
    const atEnd = await grid.evaluate((g) => {
      const end = g.scrollTop + g.clientHeight >= g.scrollHeight - 1;
      g.scrollTop += g.clientHeight / 2;
      return end;
    });
    if (atEnd) break;
    await expect.poll(() => grid.locator('[role=row][data-address]').count()).toBeGreaterThan(0);
  }
  return [...seen.values()].sort((a, b) => a.index - b.index).map(({ address, verdict }) => ({ address, verdict }));
}

/**
 * Scrolls the grouped grid so that a device row near `where` has its top 10 px under the column
 * headers, and says what the user sees in the first line under them and which group that
 * device belongs to (the group header before it).
 */
async function topLineAt(grid: Locator, where: 'middle' | 'end') {
  return grid.evaluate(async (g, where) => {
    const win = g.ownerDocument.defaultView!;
    const frame = () => new Promise((r) => win.requestAnimationFrame(() => setTimeout(r, 0)));
    g.scrollTop = where === 'middle' ? (g.scrollHeight - g.clientHeight) / 2 : g.scrollHeight;
    await frame();
    const headBottom = g.querySelector('[role=row][aria-rowindex="1"]')!.getBoundingClientRect().bottom;
    const devices = [...g.querySelectorAll('[role=row][data-address]')];
    const below = devices
      .map((r) => ({ r, top: r.getBoundingClientRect().top }))
      .filter((x) => x.top >= headBottom - 60)
      .sort((a, b) => a.top - b.top)[0]!;
    g.scrollTop += below.top - headBottom + 10;
    await frame();
    const index = Number(below.r.getAttribute('aria-rowindex'));
    const groups = [...g.querySelectorAll('.dgrid__row--group')].filter((r) => Number(r.getAttribute('aria-rowindex')) < index);
    const expected = groups.sort((a, b) => Number(b.getAttribute('aria-rowindex')) - Number(a.getAttribute('aria-rowindex')))[0];
    const gridBox = g.getBoundingClientRect();
    const seen = g.ownerDocument.elementFromPoint(gridBox.left + 20, headBottom + 5)?.closest('[role=row]');
    return {
      device: below.r.getAttribute('data-address'),
      expectedGroup: expected?.querySelector('strong')?.textContent ?? null,
      seenIsGroupRow: seen?.classList.contains('dgrid__row--group') ?? false,
      seenText: seen?.querySelector('strong')?.textContent ?? seen?.getAttribute('data-address') ?? null,
    };
  }, where);
}

test.describe('Devices table', () => {
  test('sorts, searches, filters and groups the PCI functions of the many-VFs host', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'many-vfs' });
    await goTo(page, 'Devices');
    const grid = devicesGrid(page);
    await expect(grid).toBeVisible();

    // Default order is by address.
    const initial = await renderedAddresses(page);
    expect(initial.length).toBeGreaterThan(10);
    expect(initial).toEqual([...initial].sort());

    // Sorting by address descending reverses it; the header says so.
    const addressHeader = grid.getByRole('columnheader', { name: 'Address' });
    await addressHeader.getByRole('button', { name: 'Address' }).click();
    await addressHeader.getByRole('button', { name: 'Address' }).click();
    await expect(addressHeader).toHaveAttribute('aria-sort', 'descending');
    const descending = await renderedAddresses(page);
    expect(descending[0]! > descending[descending.length - 1]!).toBe(true);

    // Sorting by driver with the keyboard groups igbvf VFs together.
    const driverButton = grid.getByRole('columnheader', { name: 'Driver' }).getByRole('button', { name: 'Driver' });
    await driverButton.focus();
    await page.keyboard.press('Enter');
    await expect(grid.getByRole('columnheader', { name: 'Driver' })).toHaveAttribute('aria-sort', 'ascending');

    // Search narrows to the VFs (igbvf) and says how many are shown.
    await page.getByRole('searchbox', { name: 'Search' }).fill('igbvf');
    await expect(page.getByRole('status').filter({ hasText: /Showing \d+ of \d+ devices/ })).toContainText('Showing 28 of');
    for (const address of await renderedAddresses(page)) expect(address).toMatch(/^0000:0[1-4]:1[0-1]\.[0-7]$/);

    // Class filter: only network devices.
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await page.getByRole('combobox', { name: 'Class' }).selectOption('network');
    await expect(page.getByRole('status').filter({ hasText: /Showing/ })).toContainText('Showing 33 of');
    await page.getByRole('button', { name: 'Clear filters' }).click();

    // Group by IOMMU group shows group header rows.
    await page.getByRole('checkbox', { name: 'Group by IOMMU group' }).check();
    await expect(grid.getByRole('row', { name: /^IOMMU group \d+/ }).first()).toBeVisible();
    await keepScreenshot(page, testInfo, 'devices-many-vfs-grouped');
    await expectNoSeriousA11yViolations(page);
  });

  test('opens a detail panel with the device, its group and its VFs', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'many-vfs' });
    await goTo(page, 'Devices');
    await page.getByRole('searchbox', { name: 'Search' }).fill('0000:01:00.0');
    const row = devicesGrid(page).getByRole('row', { name: /^0000:01:00\.0 / });
    await row.click();
    await page.keyboard.press('Enter');
    const panel = page.getByRole('region', { name: 'Device details' });
    await expect(panel).toBeVisible();
    await expect(panel).toContainText('82576');
    await expect(panel).toContainText('igb');
    await expect(panel.getByRole('table', { name: 'Virtual functions of 0000:01:00.0' }).locator('tbody tr')).toHaveCount(7);
    await keepScreenshot(page, testInfo, 'devices-detail-panel');
    await expectNoSeriousA11yViolations(page);
    await page.keyboard.press('Escape');
    await expect(panel).toBeHidden();
  });

  test('this machine: every device with names, ids and driver', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'this-machine' });
    await goTo(page, 'Devices');
    await expect(devicesGrid(page).getByRole('row', { name: /^0000:00:03\.0 / })).toContainText('Virtio 1.0 network device');
    await expect(devicesGrid(page).getByRole('row', { name: /^0000:00:03\.0 / })).toContainText('virtio-pci');
    expect(await renderedAddresses(page)).toHaveLength(6);
    await keepScreenshot(page, testInfo, 'devices-this-machine');
  });

  test('shows what a NIC user needs by default, visible without scrolling sideways at 1400 px', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'many-vfs' });
    const grid = await openDevices(page, { width: 1400, height: 900 });
    expect(await headerNames(grid)).toEqual(['Address', 'Device', 'Driver', 'Passthrough', 'Interfaces', 'SR-IOV']);
    const gridBox = await box(grid);
    for (const name of ['Passthrough', 'Interfaces', 'SR-IOV']) {
      const b = await box(grid.getByRole('columnheader', { name }));
      expect(b.x + b.width, `${name} ends inside the grid`).toBeLessThanOrEqual(gridBox.x + gridBox.width);
    }
    expect(await grid.evaluate((g) => g.scrollLeft)).toBe(0);
    // The IDs show once (in the chooser's IDs column), not in the name.
    await expect(grid.getByRole('row', { name: /^0000:01:00\.0 / })).not.toContainText('8086:10c9');

    const cells = async (address: string) => {
      await page.getByRole('searchbox', { name: 'Search' }).fill(address);
      const row = grid.getByRole('row', { name: new RegExp(`^${address.replace(/[.]/g, '\\.')} `) });
      await expect(row).toBeVisible();
      return row.getByRole('gridcell');
    };
    const pf = await cells('0000:01:00.0');
    await expect(pf.nth(3).locator('[data-verdict]')).toHaveText('Assignable');
    await expect(pf.nth(4)).toHaveText('enp1s0');
    await expect(pf.nth(5)).toHaveText('PF: 7 of 7 VFs');
    const vf = await cells('0000:02:10.4');
    await expect(vf.nth(5)).toHaveText('VF of 0000:02:00.0');
    const management = await cells('0000:05:00.0');
    await expect(management.nth(3).locator('[data-verdict]')).toHaveText('Blocked');
    await expect(management.nth(4)).toContainText('enp5s0');
    await expect(management.nth(4)).toContainText('Management');
    await keepScreenshot(page, testInfo, 'devices-default-columns-1400');
  });

  test('a device in no IOMMU group says so in words', async ({ app }) => {
    const page = await app.open({ fixture: 'no-iommu' });
    const grid = await openDevices(page);
    const row = grid.getByRole('row', { name: /^0000:01:00\.0 / });
    await expect(row.getByRole('gridcell').nth(3)).toHaveText('No IOMMU group');
    await expect(grid).not.toContainText('?');
  });

  test('sorts by verdict (ready, assignable, shared, blocked, host only) and filters by it', async ({ app }) => {
    const page = await app.open({ fixture: 'many-vfs' });
    const grid = await openDevices(page);
    const filter = page.getByRole('combobox', { name: 'Passthrough' });

    // The 28 VFs are assignable; the root ports (host only) are not listed.
    await filter.selectOption({ label: 'Assignable (32)' });
    await expect(page.getByRole('status').filter({ hasText: /Showing/ })).toContainText('Showing 32 of 44');
    const assignable = (await allRows(grid)).map((r) => r.address);
    expect(assignable).toEqual(expect.arrayContaining(MANY_VFS_VFS));
    for (const port of MANY_VFS_ROOT_PORTS) expect(assignable).not.toContain(port);

    // "Can be passed through": ready, assignable and shared; not the blocked management NIC.
    await filter.selectOption({ label: 'Can be passed through (35)' });
    await expect(page.getByRole('status').filter({ hasText: /Showing/ })).toContainText('Showing 35 of 44');
    const passable = (await allRows(grid)).map((r) => r.address);
    expect(passable).toContain('0000:00:1f.2');
    expect(passable).not.toContain('0000:05:00.0');
    for (const port of MANY_VFS_ROOT_PORTS) expect(passable).not.toContain(port);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await grid.getByRole('columnheader', { name: 'Passthrough' }).getByRole('button').click();
    await expect(grid.getByRole('columnheader', { name: 'Passthrough' })).toHaveAttribute('aria-sort', 'ascending');
    const order = ['ready', 'assignable', 'shared', 'blocked', 'host-only'];
    const verdicts = (await allRows(grid)).map((r) => r.verdict);
    expect(verdicts).toHaveLength(44);
    expect(verdicts).toEqual([...verdicts].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    expect(verdicts[0]).toBe('assignable');
    expect(verdicts.at(-1)).toBe('host-only');
  });

  test('the detail panel leads with the verdict and its reasons, then the interfaces', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'many-vfs' });
    const panel = await openDetails(page, '0000:05:00.0');
    const parts = panel.locator('.detail__body > *');
    await expect(parts.nth(0)).toHaveAttribute('data-part', 'verdict');
    await expect(parts.nth(0).locator('[data-verdict]')).toHaveText('Blocked');
    await expect(parts.nth(0).getByRole('list', { name: 'Why' })).toContainText('0000:05:00.0 is needed by this host');
    await expect(parts.nth(1)).toHaveAttribute('data-part', 'interfaces');
    await expect(parts.nth(1)).toContainText('enp5s0');
    await expect(parts.nth(1)).toContainText('Management');
    await keepScreenshot(page, testInfo, 'devices-detail-management');
  });

  test('the detail panel closes when the source switches to a snapshot without its device', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'many-vfs', pickSnapshot: fixtureRoot('seed') });
    const panel = await openDetails(page, '0000:04:10.0');
    await expect(panel).toContainText('82576 Virtual Function');
    await openSnapshotFromHeader(page, fixtureRoot('seed'));
    await expect(page.getByTestId('source')).toContainText('seed');
    // The seed host's scan is on screen (10 devices, none matching the old search)...
    await expect(page.getByRole('status').filter({ hasText: /Showing/ })).toContainText('Showing 0 of 10 devices');
    // ...and the details of a device it does not have are gone.
    await expect(page.getByRole('region', { name: 'Device details' })).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: 'not in this scan' })).toContainText('0000:04:10.0 is not in this scan');
    // The search for the old device matches nothing here; the table offers the way out.
    await page.getByRole('button', { name: 'Show all devices' }).click();
    await expect(devicesGrid(page).getByRole('row', { name: /^0000:01:00\.0 / })).toBeVisible();
    await keepScreenshot(page, testInfo, 'devices-detail-closed-after-switch');
  });

  test('the detail panel closes when its device is removed, and focus goes back to the table', async ({ app }) => {
    const root = mkdtempSync(join(tmpdir(), 'passthru-removed-device-'));
    cpSync(fixtureRoot('seed'), root, { recursive: true, verbatimSymlinks: true });
    try {
      const page = await app.open({ fixture: root });
      const panel = await openDetails(page, '0000:00:11.0');
      await page.getByRole('searchbox', { name: 'Search' }).fill('');
      await panel.getByRole('button', { name: 'Close details' }).focus();
      // What the kernel shows after the device is hot-removed: no link in the device list, no group.
      unlinkSync(join(root, 'sys/bus/pci/devices/0000:00:11.0'));
      rmSync(join(root, 'sys/kernel/iommu_groups/4'), { recursive: true, force: true });
      await expect(panel).toBeHidden({ timeout: 10_000 });
      await expect(page.locator(':focus')).toHaveAttribute('role', 'row');
      await expect(page.locator(':focus')).toHaveAttribute('data-address', /^0000:/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

for (const size of SIZES) {
  test.describe(`Devices table at ${size.width}×${size.height}`, () => {
    test('the identity columns stay in view while the rest scrolls sideways', async ({ app }, testInfo) => {
      const page = await app.open({ fixture: 'many-vfs' });
      const grid = await openDevices(page, size);
      await ensureSidewaysScroll(page, grid);

      const row = grid.getByRole('row', { name: /^0000:01:00\.0 / });
      const frozen = [
        grid.getByRole('columnheader', { name: 'Address' }),
        grid.getByRole('columnheader', { name: 'Device' }),
        row.getByRole('gridcell').nth(0),
        row.getByRole('gridcell').nth(1),
      ];
      const driverCell = row.getByRole('gridcell').nth(2);
      const before = await Promise.all(frozen.map(box));
      const driverBefore = await box(driverCell);
      for (const to of ['half', 'end'] as const) {
        await grid.evaluate((g, to) => (g.scrollLeft = to === 'end' ? g.scrollWidth : (g.scrollWidth - g.clientWidth) / 2), to);
        await expect.poll(() => grid.evaluate((g) => g.scrollLeft)).toBeGreaterThan(0);
        const after = await Promise.all(frozen.map(box));
        after.forEach((b, i) => {
          expect(Math.abs(b.x - before[i]!.x), `frozen cell ${i} x after scrolling to ${to}`).toBeLessThanOrEqual(1);
          expect(Math.abs(b.y - before[i]!.y)).toBeLessThanOrEqual(1);
        });
        expect((await box(driverCell)).x).toBeLessThan(driverBefore.x);
      }
      await expect(row.getByRole('gridcell').nth(0)).toHaveText('0000:01:00.0');
      await keepScreenshot(page, testInfo, `devices-scrolled-sideways-${size.width}`);
    });

    test('the header row is one Tab stop; arrow keys move between headers and Enter sorts', async ({ app }) => {
      const page = await app.open({ fixture: 'many-vfs' });
      const grid = await openDevices(page, size);
      const sortButton = (name: string) => grid.getByRole('columnheader', { name }).getByRole('button');

      await sortButton('Address').focus();
      await page.keyboard.press('Tab');
      await expect(page.locator(':focus'), 'Tab from the first header leaves the header row').toHaveAttribute('role', 'row');
      await page.keyboard.press('Shift+Tab');
      await expect(sortButton('Address')).toBeFocused();
      expect(await grid.locator('[role=columnheader] button[tabindex="0"]').count()).toBe(1);

      await page.keyboard.press('ArrowRight');
      await expect(sortButton('Device')).toBeFocused();
      await page.keyboard.press('ArrowRight');
      await expect(sortButton('Driver')).toBeFocused();
      await page.keyboard.press('ArrowLeft');
      await expect(sortButton('Device')).toBeFocused();
      await page.keyboard.press('End');
      await expect(sortButton('SR-IOV')).toBeFocused();
      // The last header is in view, and the identity columns still are.
      const gridBox = await box(grid);
      const last = await box(grid.getByRole('columnheader', { name: 'SR-IOV' }));
      expect(last.x + last.width).toBeLessThanOrEqual(gridBox.x + gridBox.width + 1);
      expect((await box(grid.getByRole('columnheader', { name: 'Address' }))).x).toBeGreaterThanOrEqual(gridBox.x);
      await page.keyboard.press('Enter');
      await expect(grid.getByRole('columnheader', { name: 'SR-IOV' })).toHaveAttribute('aria-sort', 'ascending');
      await page.keyboard.press(' ');
      await expect(grid.getByRole('columnheader', { name: 'SR-IOV' })).toHaveAttribute('aria-sort', 'descending');
      expect(await grid.locator('[role=columnheader] button[tabindex="0"]').count()).toBe(1);

      // Tab still leaves the header row in one step, from whichever header was last used.
      await page.keyboard.press('Tab');
      await expect(page.locator(':focus')).toHaveAttribute('role', 'row');
      await page.keyboard.press('Shift+Tab');
      await expect(sortButton('SR-IOV')).toBeFocused();
      await page.keyboard.press('Home');
      await expect(sortButton('Address')).toBeFocused();
    });

    test('a name cut short shows whole on keyboard focus and on hover', async ({ app }, testInfo) => {
      const page = await app.open({ fixture: 'many-vfs' });
      const grid = await openDevices(page, size);
      const fullName = '82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]';
      const row = grid.getByRole('row', { name: /^0000:00:1f\.2 / });
      const name = row.getByRole('gridcell').nth(1).locator('.clip').first();
      const other = grid
        .getByRole('row', { name: /^0000:00:1f\.0 / })
        .getByRole('gridcell')
        .nth(1);
      const otherName = other.locator('.clip').first();
      await expect(name).toHaveText(fullName);
      const cut = (l: Locator) => l.evaluate((e) => e.scrollWidth > e.clientWidth + 1);
      // A wide window has room for these names: with every column shown it has not.
      if (!(await cut(name)) || !(await cut(otherName))) await showAllColumns(page);
      expect(await cut(name), 'the name is cut short at rest').toBe(true);

      // Keyboard: focus the first row, arrow down to this one.
      await grid.getByRole('row', { name: /^0000:00:00\.0 / }).focus();
      for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowDown');
      await expect(row).toBeFocused();
      expect(await cut(name), 'the name is whole while its row has focus').toBe(false);
      const gridBox = await box(grid);
      const shown = await box(name);
      expect(shown.x + shown.width).toBeLessThanOrEqual(gridBox.x + gridBox.width);
      await keepScreenshot(page, testInfo, `devices-name-on-focus-${size.width}`);

      // Pointer: another long name, shown whole while hovered.
      await grid.getByRole('row', { name: /^0000:00:00\.0 / }).focus();
      expect(await cut(otherName)).toBe(true);
      await other.hover();
      expect(await cut(otherName)).toBe(false);
    });

    test('group header rows: the group in view is named under the column headers at the middle and the end', async ({ app }) => {
      const page = await app.open({ fixture: 'many-vfs' });
      const grid = await openDevices(page, size);
      await page.getByRole('checkbox', { name: 'Group by IOMMU group' }).check();
      await expect(grid.getByRole('row', { name: /^IOMMU group 0 / })).toBeVisible();
      for (const where of ['middle', 'end'] as const) {
        const top = await topLineAt(grid, where);
        expect(top.expectedGroup, `a group header precedes ${top.device}`).toMatch(/^IOMMU group \d+$/);
        expect(top.seenIsGroupRow, `under the column headers at the ${where}: ${top.seenText}`).toBe(true);
        expect(top.seenText).toBe(top.expectedGroup);
        await expect(grid.getByRole('row', { name: new RegExp(`^${top.expectedGroup} `) })).toBeVisible();
      }
      await expect(grid.getByRole('row', { name: /^IOMMU group 41 / })).toBeVisible();
      expect(await renderedAddresses(page)).toContain('0000:04:11.4');
    });

    test('group header rows keep their words in view when the table scrolls sideways', async ({ app }, testInfo) => {
      const page = await app.open({ fixture: 'many-vfs' });
      const grid = await openDevices(page, size);
      await ensureSidewaysScroll(page, grid);
      await page.getByRole('checkbox', { name: 'Group by IOMMU group' }).check();
      await grid.evaluate((g) => (g.scrollTop = g.scrollHeight / 2));
      await grid.evaluate((g) => (g.scrollLeft = g.scrollWidth));
      await expect.poll(() => grid.evaluate((g) => g.scrollLeft)).toBeGreaterThan(0);
      const gridBox = await box(grid);
      const labels = grid.locator('.dgrid__row--group strong');
      expect(await labels.count()).toBeGreaterThan(2);
      let checked = 0;
      for (const label of await labels.all()) {
        const b = await box(label);
        if (b.y < gridBox.y + 40 || b.y + b.height > gridBox.y + gridBox.height) continue;
        expect(b.x, `${await label.textContent()} in view`).toBeGreaterThanOrEqual(gridBox.x);
        expect(b.x + b.width).toBeLessThanOrEqual(gridBox.x + gridBox.width);
        checked++;
      }
      expect(checked).toBeGreaterThan(2);
      await keepScreenshot(page, testInfo, `devices-grouped-sideways-${size.width}`);
    });

    test('the column chooser adds and removes columns, from the keyboard, and remembers them', async ({ app }, testInfo) => {
      const page = await app.open({ fixture: 'many-vfs' });
      const grid = await openDevices(page, size);
      const opener = page.getByRole('button', { name: 'Columns…' });
      await opener.focus();
      await page.keyboard.press('Enter');
      const chooser = page.getByRole('dialog', { name: 'Columns shown' });
      await expect(chooser).toBeVisible();
      await expect(opener).toHaveAttribute('aria-expanded', 'true');
      await expect(chooser.getByRole('checkbox', { name: /^Driver/ })).toBeFocused();
      await keepScreenshot(page, testInfo, `devices-column-chooser-${size.width}`);
      await expectNoSeriousA11yViolations(page);

      await chooser.getByRole('checkbox', { name: /^Class/ }).focus();
      await page.keyboard.press('Space');
      await expect(grid.getByRole('columnheader', { name: 'Class' })).toBeVisible();
      await chooser.getByRole('checkbox', { name: /^Interfaces/ }).focus();
      await page.keyboard.press('Space');
      await expect(grid.getByRole('columnheader', { name: 'Interfaces' })).toHaveCount(0);
      await page.keyboard.press('Escape');
      await expect(chooser).toBeHidden();
      await expect(opener).toBeFocused();
      const chosen = ['Address', 'Device', 'Driver', 'Passthrough', 'SR-IOV', 'Class'];
      expect(await headerNames(grid)).toEqual(chosen);

      await page.reload();
      const again = await openDevices(page);
      expect(await headerNames(again)).toEqual(chosen);

      await page.getByRole('button', { name: 'Columns…' }).click();
      await page.getByRole('dialog', { name: 'Columns shown' }).getByRole('button', { name: 'Default columns' }).click();
      expect(await headerNames(again)).toEqual(['Address', 'Device', 'Driver', 'Passthrough', 'Interfaces', 'SR-IOV']);
    });
  });
}
