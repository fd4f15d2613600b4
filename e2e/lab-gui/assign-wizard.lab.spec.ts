/**
 * The assign wizard, end to end against a real kernel: the test bridge's host service runs as
 * root inside a lab guest (seed scenario), and the built renderer is opened in this machine's
 * Chromium through a qemu hostfwd port on 127.0.0.1. The GUI assigns the igb PF to vfio-pci
 * and gives it back, and shows the refusal for the management NIC; every verdict comes from
 * the guest's sysfs (e2e/lab/checks/device-state.ts), never from the GUI alone.
 *
 * The management NIC carries the guest's network and the hostfwd this browser talks through,
 * so it is never assigned here: the spec stops at the typed confirmation and cancels.
 *
 * `npm run test:lab-gui` (after a build); part of `npm test`.
 */
import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bootLab, type LabHandle, type RunResult } from '../lab/boot';
import { kernelState, type KernelDeviceState } from '../lab/checks/device-state';
import { keepScreenshot } from '../support/app';
import { devicesGrid, goTo } from '../support/pages';

const PF = '0000:01:00.0';
const MGMT = '0000:02:00.0';
const GUEST_PORT = 8080;
const GUEST_STATE_DIR = '/tmp/passthru-lab-gui-state';
const repoRoot = path.resolve(__dirname, '../..');
const bridgeScript = path.join(repoRoot, 'dist/bridge/server.cjs');

test.describe.configure({ mode: 'serial' });

let lab: LabHandle | undefined;
let page: Page;
let bridgeRun: Promise<RunResult | Error> | undefined;
let bridgePid = '';
let bridgeOutput = '';
let before: Record<string, KernelDeviceState>;
let mgmtIf = '';

/** Polls the forwarded port until the bridge answers with the renderer page. */
async function waitForBridge(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (bridgeRun && (await Promise.race([bridgeRun.then(() => true), new Promise((r) => setTimeout(() => r(false), 0))]))) {
      throw new Error(`the bridge in the guest exited before it was reachable:\n${bridgeOutput}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (res.ok && (await res.text()).includes('/__bridge/client.js')) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the bridge in the guest was not reachable at ${url} within ${timeoutMs / 1000} s (last: ${last}); its output:\n${bridgeOutput}`);
}

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(600_000);
  for (const built of [bridgeScript, path.join(repoRoot, 'dist/bridge/client.js'), path.join(repoRoot, 'dist/renderer/index.html')]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (npm run test:lab-gui does).`);
  }
  // Missing qemu, kernel, busybox... fail here with the package to install (e2e/lab/prerequisites.ts).
  lab = await bootLab('seed', { forwards: [{ hostPort: 0, guestPort: GUEST_PORT }] });
  console.log(`lab-gui: seed guest ready in ${(lab.timings.readyMs / 1000).toFixed(1)} s (kernel ${lab.kernel})`);
  before = await kernelState(lab);
  mgmtIf = (await lab.runOk(['ls', `/sys/bus/pci/devices/${MGMT}/net`])).stdout.trim();

  // The bridge runs in the background in the guest for the whole file: `exec` keeps the shell's
  // pid (printed first) so it can be stopped by that pid at the end.
  bridgeRun = lab
    .run(
      [
        'sh',
        '-c',
        'echo "pid $$"; exec "$0" "$@"',
        process.execPath,
        bridgeScript,
        '--host',
        '0.0.0.0',
        '--port',
        String(GUEST_PORT),
        '--state-dir',
        GUEST_STATE_DIR,
        '--poll-ms',
        '2000',
      ],
      {
        timeoutMs: 3_600_000,
        onStdout: (d) => (bridgeOutput += String(d)),
        onStderr: (d) => (bridgeOutput += String(d)),
      },
    )
    .catch((e: Error) => e);
  const url = `http://127.0.0.1:${lab.forwards[0]!.hostPort}/`;
  await waitForBridge(url, 180_000);
  bridgePid = /^pid (\d+)$/m.exec(bridgeOutput)?.[1] ?? '';
  console.log(`lab-gui: bridge in the guest reachable at ${url} (guest pid ${bridgePid || '?'})`);

  const context = await browser.newContext({ viewport: testInfo.project.use.viewport ?? null });
  page = await context.newPage();
  await page.goto(url);
});

test.afterAll(async () => {
  const testInfo = test.info();
  testInfo.setTimeout(120_000);
  await page?.context().close();
  if (lab && bridgePid) await lab.run(['kill', bridgePid]).catch(() => undefined);
  if (bridgeRun) await Promise.race([bridgeRun, new Promise((r) => setTimeout(r, 15_000))]);
  if (bridgeOutput) await testInfo.attach('bridge-output', { body: bridgeOutput, contentType: 'text/plain' });
  await lab?.shutdown();
});

/** Opens the detail panel of one device from the Devices table. */
async function openDetails(address: string) {
  await goTo(page, 'Devices');
  await page.getByRole('searchbox', { name: 'Search' }).fill(address);
  const row = devicesGrid(page).getByRole('row', { name: new RegExp(`^${address.replace(/[.]/g, '\\.')} `) });
  await row.click();
  await page.keyboard.press('Enter');
  const panel = page.getByRole('region', { name: 'Device details' });
  await expect(panel).toContainText(address);
  return panel;
}

const currentStep = (dialog: ReturnType<Page['getByRole']>) => dialog.getByRole('list', { name: 'Wizard steps' }).locator('[aria-current="step"]');

test('starts from the seed host: igb PF and e1000e management NIC', () => {
  expect(before[PF]).toMatchObject({ driver: 'igb', override: null });
  expect(before[MGMT]).toMatchObject({ driver: 'e1000e', override: null });
  expect(mgmtIf).toMatch(/^\S+$/);
});

test('assigns the igb PF to vfio-pci through the wizard', async () => {
  const testInfo = test.info();
  const panel = await openDetails(PF);
  await expect(panel).toContainText('igb');
  await panel.getByRole('button', { name: 'Assign to VFIO…' }).click();

  const dialog = page.getByRole('dialog', { name: `Assign ${PF} to vfio-pci` });
  await expect(dialog).toBeVisible();
  // 1. Checks: no refusal, the checks listed, then on to the plan.
  await expect(dialog.getByRole('list', { name: 'Checks' })).toBeVisible();
  await expect(currentStep(dialog)).toHaveText('1. Checks');
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Review the plan' }).click();
  // 2. Plan: the steps with their shell commands, naming driver_override and vfio-pci.
  await expect(currentStep(dialog)).toHaveText('2. Plan');
  const steps = dialog.getByRole('list', { name: 'Plan steps' });
  await expect(steps).toContainText(`/sys/bus/pci/devices/${PF}/driver_override`);
  await expect(steps).toContainText('vfio-pci');
  await keepScreenshot(page, testInfo, 'lab-assign-plan');
  // 3. Apply, 4. Result.
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(currentStep(dialog)).toHaveText('4. Result', { timeout: 180_000 });
  await expect(dialog.getByRole('status').filter({ hasText: 'now on vfio-pci' })).toHaveText(`${PF} is now on vfio-pci.`);
  await keepScreenshot(page, testInfo, 'lab-assign-result');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  // The kernel agrees: bound to vfio-pci with the override set; nothing else moved.
  const now = await kernelState(lab!);
  expect(now[PF]).toMatchObject({ driver: 'vfio-pci', override: 'vfio-pci' });
  expect((await lab!.runOk(['readlink', `/sys/bus/pci/devices/${PF}/driver`])).stdout.trim()).toMatch(/\/vfio-pci$/);
  expect({ ...now, [PF]: before[PF] }).toEqual(before);
  // And the GUI shows it: the detail panel now offers to give it back.
  await expect(panel.getByRole('button', { name: 'Give back…' })).toBeVisible();
  await expect(panel).toContainText('vfio-pci');
});

test('gives the PF back to igb through the wizard', async () => {
  const testInfo = test.info();
  const panel = await openDetails(PF);
  await panel.getByRole('button', { name: 'Give back…' }).click();
  const dialog = page.getByRole('dialog', { name: `Give ${PF} back to the host` });
  await expect(dialog).toBeVisible();
  await expect(currentStep(dialog)).toHaveText('1. Checks');
  await dialog.getByRole('button', { name: 'Review the plan' }).click();
  await expect(currentStep(dialog)).toHaveText('2. Plan');
  await expect(dialog.getByRole('list', { name: 'Plan steps' })).toContainText('driver_override');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(currentStep(dialog)).toHaveText('4. Result', { timeout: 180_000 });
  await expect(dialog.getByRole('status').filter({ hasText: 'given back' })).toHaveText(`${PF} was given back to the host.`);
  await keepScreenshot(page, testInfo, 'lab-give-back-result');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  expect((await lab!.runOk(['readlink', `/sys/bus/pci/devices/${PF}/driver`])).stdout.trim()).toMatch(/\/igb$/);
  expect((await lab!.runOk(['cat', `/sys/bus/pci/devices/${PF}/driver_override`])).stdout.trim()).toBe('(null)');
  expect(await kernelState(lab!)).toEqual(before);
  await expect(panel.getByRole('button', { name: 'Assign to VFIO…' })).toBeVisible();
});

test('refuses the management NIC in plain words and cannot apply without the typed name', async () => {
  const testInfo = test.info();
  const panel = await openDetails(MGMT);
  await panel.getByRole('button', { name: 'Assign to VFIO…' }).click();
  const dialog = page.getByRole('dialog', { name: `Assign ${MGMT} to vfio-pci` });
  await expect(dialog).toBeVisible();

  const refusal = dialog.getByRole('alert');
  await expect(refusal).toContainText('Refused unless you insist:');
  await expect(refusal).toContainText(mgmtIf);
  await expect(refusal).toContainText(/network|connection|route/i);
  const review = dialog.getByRole('button', { name: 'Review the plan' });
  await expect(review).toBeDisabled();
  await expect(dialog.getByRole('button', { name: 'Apply' })).toHaveCount(0);
  await keepScreenshot(page, testInfo, 'lab-management-nic-refused');

  // Acknowledging re-plans with force and asks for the interface's name; anything else keeps
  // the plan (and so Apply) out of reach. The right name is never typed: it would cut the
  // guest's network and this very connection.
  await dialog.getByRole('checkbox', { name: 'I understand, the network will drop' }).check();
  const confirm = dialog.getByRole('textbox', { name: `Type ${mgmtIf} to confirm` });
  await expect(confirm).toBeVisible();
  await expect(review).toBeDisabled();
  for (const wrong of ['not-it', mgmtIf.slice(0, -1), mgmtIf.toUpperCase()]) {
    await confirm.fill(wrong);
    await expect(review).toBeDisabled();
  }
  await confirm.fill('');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();

  // Nothing changed: still on e1000e with its address and default route.
  expect(await kernelState(lab!)).toEqual(before);
  expect((await lab!.runOk(['ip', '-4', 'addr', 'show', 'dev', mgmtIf])).stdout).toContain('10.0.2.15/24');
  expect((await lab!.runOk(['ip', '-4', 'route', 'show', 'default'])).stdout).toContain(`dev ${mgmtIf}`);
});

test('History lists the give-back and the assign, newest first, and nothing for the management NIC', async () => {
  const testInfo = test.info();
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'History', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'History' })).toBeVisible();
  const entries = page.getByRole('list', { name: 'Changes, newest first' }).getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3 }) });
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0).getByRole('heading', { level: 3 })).toHaveText(`Give back ${PF}`);
  await expect(entries.nth(1).getByRole('heading', { level: 3 })).toHaveText(`Assign ${PF}`);
  await expect(page.getByRole('list', { name: 'Changes, newest first' })).not.toContainText(MGMT);
  await keepScreenshot(page, testInfo, 'lab-history');
  // The journal is the guest's, in the bridge's --state-dir.
  expect((await lab!.runOk(['ls', GUEST_STATE_DIR])).stdout.trim()).not.toBe('');
});
