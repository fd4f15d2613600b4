/**
 * The layout holds on a small screen and every target can be hit: at 1024 × 700 the header's
 * texts wrap instead of running under one another, and every interactive target on every page
 * — and in the VM dialogs and the device details — is at least 24 × 24 CSS px (WCAG 2.2, 2.5.8).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect, fixtureCapturedAt, fixtureRoot, keepScreenshot } from '../support/app';
import { expectNoSeriousA11yViolations } from '../support/axe';
import { replaceInTree } from '../support/hostile-host';
import { lineBoxes, overlapping, smallTargets, type Box } from '../support/layout';
import { goTo, openDetails, type PageName } from '../support/pages';
import { makeRig } from '../../electron/host/testing/apply-test-support';
import { ChangeService } from '../../electron/host/changes/change-service';

const PAGES: PageName[] = ['Overview', 'Devices', 'IOMMU groups', 'Network', 'Topology', 'VMs', 'History'];

/** Every text and control of the header, one box per line of text. */
async function headerBoxes(page: Page): Promise<Box[]> {
  const header = page.getByRole('banner');
  return [
    ...(await lineBoxes(header.locator('.brand'), 'brand')),
    ...(await lineBoxes(header.locator('.source__kind'), 'kind')),
    ...(await lineBoxes(header.locator('.source__what'), 'what')),
    ...(await lineBoxes(header.locator('.source__path'), 'path')),
    ...(await lineBoxes(header.locator('.refresh-status'), 'updated')),
    ...(await lineBoxes(header.getByRole('button'), 'button')),
  ];
}

test.describe('Layout', () => {
  test('at 1024×700 the header wraps: the snapshot\'s name and time never run under "Updated …" or the buttons', async ({ app }, testInfo) => {
    const dir = mkdtempSync(join(tmpdir(), 'passthru-header-'));
    try {
      // A realistic long host name: the captured-at text is then wider than the room beside the actions.
      const root = join(dir, 'seed');
      cpSync(fixtureRoot('seed'), root, { recursive: true, verbatimSymlinks: true });
      replaceInTree(root, 'lab-seed', 'rack4-hypervisor-07.lab.example.net');
      const page = await app.open({ fixture: root });
      for (const size of [
        { width: 1024, height: 700 },
        { width: 1920, height: 1080 },
      ]) {
        await page.setViewportSize(size);
        await expect(page.getByRole('banner')).toContainText(/Updated \d/);
        await expect(page.getByTestId('source')).toContainText('rack4-hypervisor-07.lab.example.net · captured');
        const boxes = await headerBoxes(page);
        expect(boxes.filter((b) => b.what.startsWith('what')).length).toBeGreaterThan(0);
        expect(overlapping(boxes), `header at ${size.width}×${size.height}`).toEqual([]);
        // Nothing leaves the window either.
        expect(boxes.filter((b) => b.x < 0 || b.x + b.width > size.width + 0.5).map((b) => b.what)).toEqual([]);
        await keepScreenshot(page, testInfo, `header-snapshot-${size.width}`);
      }
      await expectNoSeriousA11yViolations(page);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every button, link and form control on every page, in the VM dialogs and the device details is at least 24×24 px', async ({ app }, testInfo) => {
    test.setTimeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'passthru-targets-'));
    try {
      // A History entry (with its undo), and a saved VM with a disk, made against a snapshot.
      const rig = makeRig();
      const svc = new ChangeService({ root: rig.root, stateDir: rig.stateDir, runCommand: rig.runner, writer: rig.kernel.writer });
      expect((await svc.apply((await svc.planChange({ kind: 'assign', address: '0000:01:10.0' })).id, {})).ok).toBe(true);
      const vmConfig = join(dir, 'vm-config');
      mkdirSync(join(vmConfig, 'vms'), { recursive: true });
      writeFileSync(
        join(vmConfig, 'vms', 'web.json'),
        JSON.stringify({
          name: 'web',
          cpus: 1,
          memoryMiB: 256,
          firmware: 'seabios',
          machine: 'q35',
          disks: [{ path: join(dir, 'web.qcow2'), format: 'qcow2' }],
          iso: null,
          display: 'none',
          nics: [{ kind: 'nat' }],
          createdAt: '2026-11-25T00:00:00.000Z',
          madeAgainst: { hostname: 'lab-many-vfs', capturedAt: fixtureCapturedAt('many-vfs'), root: fixtureRoot('many-vfs') },
        }),
      );
      const page = await app.open({
        fixture: 'many-vfs',
        stateDir: rig.stateDir,
        vmDirs: { config: vmConfig, runtime: join(dir, 'run') },
        vmAccel: 'tcg',
      });
      await page.setViewportSize({ width: 1024, height: 700 });
      // Each place is reported on its own (soft), so one failing does not hide the others.
      const expectNoSmall = async (scope: Page | Locator, where: string) => expect.soft(await smallTargets(scope), where).toEqual([]);
      for (const name of PAGES) {
        await goTo(page, name);
        if (name === 'VMs') await expect(page.getByRole('region', { name: 'web' })).toBeVisible();
        if (name === 'History') await expect(page.getByRole('main')).toContainText('0000:01:10.0');
        await expectNoSmall(page, name);
      }
      await keepScreenshot(page, testInfo, 'targets-history-1024');

      await goTo(page, 'VMs');
      await page.getByRole('region', { name: 'web' }).getByRole('button', { name: 'Delete…' }).click();
      await expectNoSmall(page.getByRole('alertdialog'), 'Delete dialog');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'New VM…' }).click();
      const wizard = page.getByRole('dialog', { name: 'New VM' });
      await wizard.getByRole('combobox', { name: 'Kind of NIC 1' }).selectOption('passthrough');
      await wizard.getByRole('combobox', { name: 'Device of NIC 1' }).selectOption('0000:01:10.0');
      await wizard.getByRole('radio', { name: /^An existing image/ }).check();
      await expectNoSmall(wizard, 'New VM wizard');
      await keepScreenshot(page, testInfo, 'targets-new-vm-1024');
      await wizard.getByRole('button', { name: 'Cancel' }).click();

      const details = await openDetails(page, '0000:01:00.0');
      await expectNoSmall(details, 'Device details');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
