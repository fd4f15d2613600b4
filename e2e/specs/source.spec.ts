import { cpSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, fixtureRoot, keepScreenshot } from '../support/app';
import { devicesGrid, goTo, openSnapshotFromHeader } from '../support/pages';

test.describe('Sources and live refresh', () => {
  test('File → Open snapshot… switches to another host', async ({ app }, testInfo) => {
    const page = await app.open({ fixture: 'this-machine', pickSnapshot: fixtureRoot('seed') });
    await expect(page.getByTestId('source')).toContainText('this-machine');
    await openSnapshotFromHeader(page, fixtureRoot('seed'));
    await expect(page.getByTestId('source')).toContainText('seed');
    await expect(page.getByTestId('source')).toContainText('Snapshot (read-only)');
    await goTo(page, 'Devices');
    await expect(devicesGrid(page).getByRole('row', { name: /82576/ }).first()).toBeVisible();
    await keepScreenshot(page, testInfo, 'source-opened-seed');
  });

  test('a snapshot picker pointed at a folder that is no snapshot says so in plain words', async ({ app }) => {
    const empty = mkdtempSync(join(tmpdir(), 'passthru-not-a-snapshot-'));
    try {
      const page = await app.open({ fixture: 'this-machine', pickSnapshot: empty });
      await openSnapshotFromHeader(page, empty);
      const alert = page.getByRole('alert');
      await expect(alert).toContainText('does not look like a Passthru snapshot');
      await expect(alert).toContainText('passthru snapshot DIR');
      // Still showing the previous source.
      await expect(page.getByTestId('source')).toContainText('this-machine');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('the view refreshes by itself when a driver changes', async ({ app }) => {
    const root = mkdtempSync(join(tmpdir(), 'passthru-changing-host-'));
    cpSync(fixtureRoot('seed'), root, { recursive: true, verbatimSymlinks: true });
    try {
      const page = await app.open({ fixture: root });
      await goTo(page, 'Devices');
      const igbRow = devicesGrid(page).getByRole('row', { name: /^0000:01:00\.0 / });
      await expect(igbRow).toContainText('igb');
      // What the kernel shows after `unbind` + `drivers_probe` with driver_override=vfio-pci:
      // the device's driver link and its uevent's DRIVER= now name vfio-pci.
      const device = join(root, 'sys/bus/pci/devices/0000:01:00.0');
      writeFileSync(join(device, 'uevent'), readFileSync(join(device, 'uevent'), 'utf8').replace('DRIVER=igb', 'DRIVER=vfio-pci'));
      const link = join(root, 'sys/bus/pci/devices/0000:01:00.0/driver');
      const target = readlinkSync(link);
      expect(target).toMatch(/\/bus\/pci\/drivers\/igb$/);
      mkdirSync(join(root, 'sys/bus/pci/drivers/vfio-pci'), { recursive: true });
      unlinkSync(link);
      symlinkSync(target.replace(/igb$/, 'vfio-pci'), link);
      await expect(igbRow).toContainText('vfio-pci', { timeout: 10_000 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
