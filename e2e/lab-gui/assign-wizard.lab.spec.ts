/**
 * The assign wizard, end to end against a real kernel: `passthru serve` runs as root inside
 * a lab guest (seed scenario), and the built renderer is opened in this machine's
 * Chromium through a qemu hostfwd port on 127.0.0.1. The GUI assigns the igb PF to vfio-pci
 * and gives it back, and shows the refusal for the management NIC; every verdict comes from
 * the guest's sysfs (e2e/lab/checks/device-state.ts), never from the GUI alone.
 *
 * The management NIC carries the guest's network and the hostfwd this browser talks through,
 * so it is never assigned here: the spec stops at the typed confirmation and cancels.
 *
 * `npm run test:lab-gui` (after a build); part of `npm test`.
 */
import { expect, test } from '@playwright/test';
import { kernelState, type KernelDeviceState } from '../lab/checks/device-state';
import { keepScreenshot } from '../support/app';
import { currentStep, openDetails as openDetailsOn } from '../support/pages';
import { useGuiLab } from './gui-lab';

const PF = '0000:01:00.0';
const MGMT = '0000:02:00.0';
const GUEST_STATE_DIR = '/tmp/passthru-lab-gui-state';

test.describe.configure({ mode: 'serial' });

const gui = useGuiLab('seed', { guestStateDir: GUEST_STATE_DIR });
let before: Record<string, KernelDeviceState>;
let mgmtIf = '';

test.beforeAll(async () => {
  before = await kernelState(gui.lab);
  mgmtIf = (await gui.lab.runOk(['ls', `/sys/bus/pci/devices/${MGMT}/net`])).stdout.trim();
});

const openDetails = (address: string) => openDetailsOn(gui.page, address);

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

  const dialog = gui.page.getByRole('dialog', { name: `Assign ${PF} to vfio-pci` });
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
  await keepScreenshot(gui.page, testInfo, 'lab-assign-plan');
  // 3. Apply, 4. Result.
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(currentStep(dialog)).toHaveText('4. Result', { timeout: 180_000 });
  await expect(dialog.getByRole('status').filter({ hasText: 'now on vfio-pci' })).toHaveText(`${PF} is now on vfio-pci.`);
  await keepScreenshot(gui.page, testInfo, 'lab-assign-result');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  // The kernel agrees: bound to vfio-pci with the override set; nothing else moved.
  const now = await kernelState(gui.lab);
  expect(now[PF]).toMatchObject({ driver: 'vfio-pci', override: 'vfio-pci' });
  expect((await gui.lab.runOk(['readlink', `/sys/bus/pci/devices/${PF}/driver`])).stdout.trim()).toMatch(/\/vfio-pci$/);
  expect({ ...now, [PF]: before[PF] }).toEqual(before);
  // And the GUI shows it: the detail panel now offers to give it back.
  await expect(panel.getByRole('button', { name: 'Give back…' })).toBeVisible();
  await expect(panel).toContainText('vfio-pci');
});

test('gives the PF back to igb through the wizard', async () => {
  const testInfo = test.info();
  const panel = await openDetails(PF);
  await panel.getByRole('button', { name: 'Give back…' }).click();
  const dialog = gui.page.getByRole('dialog', { name: `Give ${PF} back to the host` });
  await expect(dialog).toBeVisible();
  await expect(currentStep(dialog)).toHaveText('1. Checks');
  await dialog.getByRole('button', { name: 'Review the plan' }).click();
  await expect(currentStep(dialog)).toHaveText('2. Plan');
  await expect(dialog.getByRole('list', { name: 'Plan steps' })).toContainText('driver_override');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(currentStep(dialog)).toHaveText('4. Result', { timeout: 180_000 });
  await expect(dialog.getByRole('status').filter({ hasText: 'given back' })).toHaveText(`${PF} was given back to the host.`);
  await keepScreenshot(gui.page, testInfo, 'lab-give-back-result');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  expect((await gui.lab.runOk(['readlink', `/sys/bus/pci/devices/${PF}/driver`])).stdout.trim()).toMatch(/\/igb$/);
  expect((await gui.lab.runOk(['cat', `/sys/bus/pci/devices/${PF}/driver_override`])).stdout.trim()).toBe('(null)');
  expect(await kernelState(gui.lab)).toEqual(before);
  await expect(panel.getByRole('button', { name: 'Assign to VFIO…' })).toBeVisible();
});

test('refuses the management NIC in plain words and cannot apply without the typed name', async () => {
  const testInfo = test.info();
  const panel = await openDetails(MGMT);
  await panel.getByRole('button', { name: 'Assign to VFIO…' }).click();
  const dialog = gui.page.getByRole('dialog', { name: `Assign ${MGMT} to vfio-pci` });
  await expect(dialog).toBeVisible();

  const refusal = dialog.getByRole('alert');
  await expect(refusal).toContainText('Refused unless you insist:');
  await expect(refusal).toContainText(mgmtIf);
  await expect(refusal).toContainText(/network|connection|route/i);
  const review = dialog.getByRole('button', { name: 'Review the plan' });
  await expect(review).toBeDisabled();
  await expect(dialog.getByRole('button', { name: 'Apply' })).toHaveCount(0);
  await keepScreenshot(gui.page, testInfo, 'lab-management-nic-refused');

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
  expect(await kernelState(gui.lab)).toEqual(before);
  expect((await gui.lab.runOk(['ip', '-4', 'addr', 'show', 'dev', mgmtIf])).stdout).toContain('10.0.2.15/24');
  expect((await gui.lab.runOk(['ip', '-4', 'route', 'show', 'default'])).stdout).toContain(`dev ${mgmtIf}`);
});

test('History lists the give-back and the assign, newest first, and nothing for the management NIC', async () => {
  const testInfo = test.info();
  await gui.page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'History', exact: true }).click();
  await expect(gui.page.getByRole('heading', { level: 1, name: 'History' })).toBeVisible();
  const entries = gui.page
    .getByRole('list', { name: 'Changes, newest first' })
    .getByRole('listitem')
    .filter({ has: gui.page.getByRole('heading', { level: 3 }) });
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0).getByRole('heading', { level: 3 })).toHaveText(`Give back ${PF}`);
  await expect(entries.nth(1).getByRole('heading', { level: 3 })).toHaveText(`Assign ${PF}`);
  await expect(gui.page.getByRole('list', { name: 'Changes, newest first' })).not.toContainText(MGMT);
  await keepScreenshot(gui.page, testInfo, 'lab-history');
  // The journal is the guest's, in the server's --state-dir.
  expect((await gui.lab.runOk(['ls', GUEST_STATE_DIR])).stdout.trim()).not.toBe('');
});
