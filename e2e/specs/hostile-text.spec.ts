/**
 * Host text on screen (GUI side; anyone with a say over a host or a snapshot chooses it): host
 * data holding escape sequences — a hostname, an interface, a driver and a kernel release on
 * the host tree, journal step titles, a broken VM profile — is shown with its control
 * characters made visible on every page, in the device details and in a plan: the page never
 * holds a raw ESC, CSI, C1 or bidi character.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, fixtureRoot } from '../support/app';
import { hostileSeedTree, taintJournal } from '../support/hostile-host';
import { goTo, openDetails, type PageName } from '../support/pages';
import { makeRig } from '../../electron/host/testing/apply-test-support';
import { ChangeService } from '../../electron/host/changes/change-service';

const NAMES = { hostname: 'host\u001b[2J\u001b[H', iface: 'eth\u001b]0;pwned\u0007', driver: 'ig\u009b31mb', kernel: '6.1\u202e-evil' };
const TITLE = 'step \u001b]2;title\u001b\\ \u2066x\u2069';
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

async function expectNoRawControls(page: Page, where: string): Promise<void> {
  const html = await page.locator('body').evaluate((body) => body.outerHTML);
  const raw = RAW.exec(html);
  expect(raw && `raw U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')} near ${JSON.stringify(html.slice(Math.max(0, raw.index - 60), raw.index + 20))}`, where).toBeNull();
}

test.describe('Host text with escape sequences', () => {
  test('every page, the details and a plan show it with its control characters made visible', async ({ app }) => {
    test.setTimeout(90_000);
    const dir = mkdtempSync(join(tmpdir(), 'passthru-hostile-gui-'));
    try {
      const root = hostileSeedTree(fixtureRoot('seed'), join(dir, 'root'), NAMES);
      const rig = makeRig();
      const svc = new ChangeService({ root: rig.root, stateDir: rig.stateDir, runCommand: rig.runner, writer: rig.kernel.writer });
      expect((await svc.apply((await svc.planChange({ kind: 'assign', address: '0000:01:10.0' })).id, {})).ok).toBe(true);
      taintJournal(rig.stateDir, TITLE);
      const vmConfig = join(dir, 'vm-config');
      mkdirSync(join(vmConfig, 'vms'), { recursive: true });
      writeFileSync(join(vmConfig, 'vms', 'bad.json'), `${TITLE}{`);

      const page = await app.open({ fixture: root, stateDir: rig.stateDir, vmDirs: { config: vmConfig, runtime: join(dir, 'vm-run') } });
      await expect(page.getByTestId('source')).toContainText('host\\u001b[2J');
      for (const name of ['Overview', 'Devices', 'IOMMU groups', 'Network', 'Topology', 'VMs'] satisfies PageName[]) {
        await goTo(page, name);
        await expectNoRawControls(page, name);
      }
      await goTo(page, 'Network');
      await expect(page.getByRole('main')).toContainText('eth\\u001b]0;pwned\\u0007');

      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'History', exact: true }).click();
      await expect(page.getByRole('main')).toContainText('\\u001b]2;title');
      await expectNoRawControls(page, 'History');

      const panel = await openDetails(page, '0000:01:00.0');
      await expect(panel).toContainText('ig\\u009b31mb');
      await expectNoRawControls(page, 'device details');
      await panel
        .getByRole('button', { name: /^Assign to VFIO/ })
        .first()
        .click();
      const dialog = page.getByRole('dialog', { name: 'Assign 0000:01:00.0 to vfio-pci' });
      await expect(dialog).toContainText('Reset method');
      await expectNoRawControls(page, 'the assign wizard: checks');
      await dialog.getByRole('button', { name: 'Review the plan' }).click();
      await expect(dialog.getByRole('list', { name: 'Plan steps' })).toContainText('ig\\u009b31mb');
      await expectNoRawControls(page, 'the assign wizard: plan');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
