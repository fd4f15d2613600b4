/**
 * "Bridge for VMs…" end to end in a browser, on this machine's real kernel and real ifupdown:
 * `passthru serve` runs as root on a host made of network namespaces whose one NIC ifupdown
 * configures (e2e/support/ifupdown-netns.ts), and the browser reaches it through a TCP
 * forwarder, as `ssh -L` would. The wizard shows what the host found and the file's diff,
 * applies, shows what the host checked and counts down; "Keep this change" (sent over a new
 * connection) keeps the bridge. Removing it, nobody confirms: the countdown runs out and the
 * host's own timer puts the bridge back.
 *
 * Needs root and ifupdown with bridge-utils; Chromium only (Electron has no server).
 */
import type net from 'node:net';
import { join } from 'node:path';
import type { Browser, Page, PlaywrightWorkerArgs, TestInfo } from '@playwright/test';
import { spawnServe, type ServeProcess } from '../../electron/serve/testing/serve-process';
import { IfupdownHost, ifupdownRigMissing, NIC, NIC_ADDRESS, run } from '../support/ifupdown-netns';
import { test, expect, repoRoot } from '../support/app';
import { goTo } from '../support/pages';
import { forwardToUnixSocket } from '../support/socket-forwarder';

test.describe('bridging a NIC for VMs from the browser', () => {
  let rig: IfupdownHost | undefined;
  let served: ServeProcess | undefined;
  let forwarder: net.Server | undefined;
  let browser: Browser | undefined;

  test.beforeEach(({ playwright: _ }, testInfo) => {
    test.skip(testInfo.project.name === 'electron', 'passthru serve is the browser front end: nothing to check in Electron');
    const missing = ifupdownRigMissing();
    if (missing) {
      const message = `SKIPPED: ${missing}; CI installs ifupdown and bridge-utils and runs as root.`;
      console.warn(`\n*** ${message} ***\n`);
      test.skip(true, message);
    }
  });

  test.afterEach(async () => {
    await browser?.close();
    served?.child.kill('SIGTERM');
    forwarder?.close();
    rig?.down();
    browser = undefined;
    served = undefined;
    forwarder = undefined;
    rig = undefined;
  });

  async function open(testInfo: TestInfo, playwright: PlaywrightWorkerArgs['playwright']): Promise<Page> {
    rig = new IfupdownHost(`ptguih${process.pid}`, `ptguig${process.pid}`);
    rig.up();
    const socket = join(rig.dir, 'serve.sock');
    served = await spawnServe(
      join(repoRoot, 'dist/cli/passthru.cjs'),
      ['--listen', `unix:${socket}`, '--state-dir', rig.journal],
      { PASSTHRU_TEST_OWNER: 'none' },
      20_000,
      rig.onHost(),
    );
    const forwarded = await forwardToUnixSocket(socket, served.url);
    forwarder = forwarded.server;
    browser = await playwright.chromium.launch(testInfo.project.use.launchOptions);
    const page = await (await browser.newContext({ viewport: testInfo.project.use.viewport ?? null })).newPage();
    await page.goto(forwarded.url);
    await goTo(page, 'Network');
    return page;
  }

  /** Settings → Checks → Plan → Apply, with what each step must show. */
  async function throughTheWizard(page: Page, title: string, seconds: string, found: RegExp, diff: string) {
    const dialog = page.getByRole('dialog', { name: title });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('spinbutton', { name: 'Seconds to confirm' }).fill(seconds);
    await dialog.getByRole('button', { name: 'Check' }).click();
    const facts = dialog.getByRole('region', { name: 'What Passthru found' });
    await expect(facts).toContainText('ifupdown');
    await expect(facts).toContainText(found);
    await dialog.getByRole('button', { name: 'Review the plan' }).click();
    await expect(dialog).toContainText(diff);
    await dialog.getByRole('button', { name: 'Apply' }).click();
    return dialog;
  }

  test('the wizard bridges the NIC, shows the checks and the countdown, and "Keep this change" keeps it', async ({ playwright }, testInfo) => {
    test.setTimeout(180_000);
    const page = await open(testInfo, playwright);
    const row = page.getByRole('region', { name: 'Interfaces table' }).locator(`tr[data-interface="${NIC}"]`);
    await row.getByRole('button', { name: `Bridge ${NIC} for VMs…` }).click();
    const dialog = await throughTheWizard(page, `Bridge ${NIC} for VMs`, '60', new RegExp(NIC_ADDRESS.replace(/\./g, '\\.')), '+iface br0 inet static');

    const checked = dialog.getByRole('list', { name: 'Checked from the host' });
    await expect(checked).toContainText('br0 is up', { timeout: 90_000 });
    await expect(checked).toContainText(`br0 has the address ${NIC_ADDRESS}`);
    await expect(checked).toContainText('answers on br0');
    await expect(dialog.getByTestId('confirm-countdown')).toContainText(/\d+ s/);
    expect(rig!.ipv4Of('br0')).toEqual([NIC_ADDRESS]);

    await dialog.getByRole('button', { name: 'Keep this change' }).click();
    await expect(dialog.getByTestId('confirm-outcome')).toContainText('Kept.');
    await dialog.getByRole('button', { name: 'Close' }).click();
    // The page follows the host: br0 is there with the NIC's address, the NIC its port.
    const table = page.getByRole('region', { name: 'Interfaces table' });
    await expect(table.locator('tr[data-interface="br0"]')).toContainText(NIC_ADDRESS);
    await expect(row).toContainText('Port of br0');
    expect(rig!.defaultDev()).toBe('br0');
  });

  test('a wizard closed while the change waits: History keeps it', async ({ playwright }, testInfo) => {
    test.setTimeout(180_000);
    const page = await open(testInfo, playwright);
    const row = page.getByRole('region', { name: 'Interfaces table' }).locator(`tr[data-interface="${NIC}"]`);
    await row.getByRole('button', { name: `Bridge ${NIC} for VMs…` }).click();
    const dialog = await throughTheWizard(page, `Bridge ${NIC} for VMs`, '120', new RegExp(NIC_ADDRESS.replace(/\./g, '\\.')), '+iface br0 inet static');
    await expect(dialog.getByTestId('confirm-countdown')).toBeVisible({ timeout: 90_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();

    await goTo(page, 'History');
    const entry = page.getByRole('listitem').filter({ hasText: 'Bridge a NIC for VMs' });
    await expect(entry.getByTestId('confirm-state')).toContainText('waiting for a confirmation');
    await entry.getByRole('button', { name: 'Keep this change' }).click();
    await expect(entry.getByTestId('confirm-state')).toContainText('confirmed: kept');
    await expect(entry.getByRole('button', { name: 'Keep this change' })).toHaveCount(0);
    expect(rig!.ipv4Of('br0')).toEqual([NIC_ADDRESS]);
  });

  test('removing the bridge, nobody confirms: the countdown runs out and the host puts the bridge back', async ({ playwright }, testInfo) => {
    test.setTimeout(240_000);
    const page = await open(testInfo, playwright);
    // A kept bridge to remove, made from the command line (the first test shows the wizard make one).
    const cli = [process.execPath, join(repoRoot, 'dist/cli/passthru.cjs')];
    expect(run(rig!.onHost(...cli, 'bridge', 'create', 'br0', '--port', NIC, '--yes', '--json', '--state-dir', rig!.journal)).status).toBe(0);
    expect(run(rig!.onHost(...cli, 'confirm', '--json', '--state-dir', rig!.journal)).status).toBe(0);
    const before = rig!.interfaces();

    const table = page.getByRole('region', { name: 'Interfaces table' });
    await table.locator('tr[data-interface="br0"]').getByRole('button', { name: 'Remove bridge br0…' }).click();
    const dialog = await throughTheWizard(page, 'Remove bridge br0', '30', new RegExp(NIC_ADDRESS.replace(/\./g, '\\.')), `-iface br0 inet static`);
    await expect(dialog.getByTestId('confirm-countdown')).toBeVisible({ timeout: 90_000 });
    expect(rig!.exists('br0')).toBe(false);
    // Nobody keeps it: the host's own timer puts the bridge back, and the page says so.
    await expect(dialog.getByTestId('confirm-outcome')).toContainText('everything was put back', { timeout: 90_000 });
    expect(rig!.exists('br0')).toBe(true);
    expect(rig!.ipv4Of('br0')).toEqual([NIC_ADDRESS]);
    expect(rig!.interfaces()).toBe(before);
  });
});
