/**
 * The SR-IOV wizards, end to end against a real kernel: `passthru serve` runs as root inside
 * a lab guest (seed scenario: an igb 82576 with 7 VFs available, none enabled),
 * and the built renderer is opened in this machine's Chromium through a qemu hostfwd port.
 * The GUI creates 2 VFs (kept without a host driver, for VMs), sets VF 1's MAC and goes back
 * to 0 VFs; every verdict comes from the guest's sysfs and iproute2 (e2e/lab/checks), and the
 * GUI's own VF lists must follow without a reload.
 *
 * `npm run test:lab-gui` (after a build); part of `npm test`.
 */
import { expect, test, type Locator } from '@playwright/test';
import { kernelSriov, kernelState, vfTable, type KernelDeviceState } from '../lab/checks/device-state';
import { keepScreenshot } from '../support/app';
import { currentStep, goTo, openDetails as openDetailsOn } from '../support/pages';
import { useGuiLab } from './gui-lab';

const PF = '0000:01:00.0';
const VF_MAC = '02:00:00:5e:10:01';

test.describe.configure({ mode: 'serial' });

const gui = useGuiLab('seed', { guestStateDir: '/tmp/passthru-lab-gui-sriov-state' });
let before: Record<string, KernelDeviceState>;
let pfIf = '';

test.beforeAll(async () => {
  before = await kernelState(gui.lab);
  pfIf = (await gui.lab.runOk(['ls', `/sys/bus/pci/devices/${PF}/net`])).stdout.trim();
});

const openDetails = (address: string) => openDetailsOn(gui.page, address);
const vfRowsIn = (panel: Locator) => panel.getByRole('table', { name: `Virtual functions of ${PF}` }).locator('tbody tr');

/** Runs an open wizard from its settings (already filled) to its result, and checks the outcome sentence. */
async function checkPlanApply(dialog: Locator, result: string, shot: string) {
  const testInfo = test.info();
  await dialog.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(currentStep(dialog)).toHaveText('2. Checks');
  await expect(dialog.getByRole('list', { name: 'Checks' })).toBeVisible();
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Review the plan' }).click();
  await expect(currentStep(dialog)).toHaveText('3. Plan');
  await keepScreenshot(gui.page, testInfo, `${shot}-plan`);
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(currentStep(dialog)).toHaveText('5. Result', { timeout: 180_000 });
  await expect(dialog.getByRole('status').filter({ hasText: result })).toHaveText(result);
  await keepScreenshot(gui.page, testInfo, `${shot}-result`);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
}

test('starts from the seed host: the igb PF with no VFs', async () => {
  expect(before[PF]).toMatchObject({ driver: 'igb', override: null });
  expect(pfIf).toMatch(/^\S+$/);
  expect(await kernelSriov(gui.lab, PF)).toMatchObject({ numVfs: 0, virtfns: [], lspciVfs: 0 });
  const panel = await openDetails(PF);
  const section = panel.getByRole('region', { name: 'SR-IOV' });
  await expect(section).toContainText('No VFs enabled.');
  await expect(section.getByRole('definition').nth(0)).toHaveText('7'); // Total VFs
});

test('creates 2 VFs without a host driver through the wizard; the kernel and the GUI agree', async () => {
  const panel = await openDetails(PF);
  await panel.getByRole('button', { name: 'Set number of VFs…' }).click();
  const dialog = gui.page.getByRole('dialog', { name: `Set the number of VFs of ${PF}` });
  await expect(dialog).toBeVisible();
  await expect(currentStep(dialog)).toHaveText('1. Settings');
  await dialog.getByRole('spinbutton', { name: 'Number of VFs' }).fill('2');
  await dialog.getByRole('checkbox', { name: 'Keep new VFs without a host driver (for VMs)' }).check();
  await checkPlanApply(dialog, `${PF} now has 2 VFs.`, 'lab-sriov-2');

  // The kernel agrees: 2 VFs, 2 virtfn links, lspci sees them, autoprobe off so no driver.
  const sriov = await kernelSriov(gui.lab, PF);
  expect(sriov).toMatchObject({ numVfs: 2, autoprobe: '0', lspciVfs: 2 });
  expect(sriov.virtfns).toHaveLength(2);
  expect((await gui.lab.runOk(['cat', `/sys/bus/pci/devices/${PF}/sriov_numvfs`])).stdout.trim()).toBe('2');
  const now = await kernelState(gui.lab);
  for (const vf of sriov.virtfns) expect(now[vf]?.driver ?? null).toBeNull();

  // The GUI follows without a reload: the detail panel's table and the Network tree.
  const rows = vfRowsIn(panel);
  await expect(rows).toHaveCount(2);
  for (const [i, vf] of sriov.virtfns.entries()) await expect(rows.nth(i)).toContainText(vf);
  await expect(panel.getByRole('region', { name: 'SR-IOV' }).getByRole('definition').nth(1)).toHaveText('2');
  await goTo(gui.page, 'Network');
  const tree = gui.page.getByRole('list', { name: 'SR-IOV physical functions' });
  await expect(tree.getByRole('list', { name: `Virtual functions of ${PF}` }).getByRole('listitem')).toHaveCount(2);
  await expect(tree.locator(`[data-pf="${PF}"]`)).toContainText('2 of 7 VFs enabled');
  await keepScreenshot(gui.page, test.info(), 'lab-sriov-network-tree');
});

test("sets VF 1's MAC through the Configure dialog; iproute2 in the guest reads it back", async () => {
  const panel = await openDetails(PF);
  await panel.getByRole('button', { name: /^Configure… \(VF 1, / }).click();
  const dialog = gui.page.getByRole('dialog', { name: `Configure VF 1 of ${PF}` });
  await expect(dialog).toBeVisible();
  const mac = dialog.getByRole('textbox', { name: 'MAC address' });
  // A multicast MAC is refused as typed; the planner never sees it.
  await mac.fill('01:00:5e:00:00:01');
  await expect(dialog.getByRole('button', { name: 'Check', exact: true })).toBeDisabled();
  await mac.fill(VF_MAC);
  await expect(dialog.getByRole('status').filter({ hasText: 'Will set:' })).toHaveText(`Will set: MAC ${VF_MAC}.`);
  await checkPlanApply(dialog, `VF 1 of ${PF} now has MAC ${VF_MAC}.`, 'lab-vf-mac');

  const vfs = await vfTable(gui.lab, pfIf);
  expect(vfs.find((v) => v.vf === 1)?.address).toBe(VF_MAC);
  expect(vfs.find((v) => v.vf === 0)?.address).not.toBe(VF_MAC);
  // And the GUI shows it in VF 1's row.
  await expect(vfRowsIn(panel).nth(1)).toContainText(VF_MAC);
});

test('a VM that owns VF 0, without typing a command: the New-VM wizard offers the assign, starts the VM paused, the guest sees the VF', async () => {
  test.setTimeout(300_000);
  const page = gui.page;
  const vf = (await kernelSriov(gui.lab, PF)).virtfns[0] as string;
  await goTo(page, 'VMs');
  await page.getByRole('button', { name: 'New VM…' }).click();
  const dialog = page.getByRole('dialog', { name: 'New VM' });
  await dialog.getByRole('textbox', { name: 'Name' }).fill('vf-guest');
  await dialog.getByRole('spinbutton', { name: 'vCPUs' }).fill('1');
  await dialog.getByRole('spinbutton', { name: 'Memory (MiB)' }).fill('128');
  await dialog.getByRole('combobox', { name: 'Display' }).selectOption('none');
  await dialog.getByRole('combobox', { name: 'Kind of NIC 1' }).selectOption('passthrough');
  await dialog.getByRole('combobox', { name: 'Device of NIC 1' }).selectOption(vf);
  await dialog.getByRole('button', { name: 'Check and preview' }).click();

  // Not on vfio-pci yet: the start is blocked, and the assign wizard is one click away.
  await expect(dialog.getByRole('button', { name: 'Save and start paused' })).toBeDisabled();
  await dialog.getByRole('button', { name: `Assign ${vf} to vfio-pci…` }).click();
  const assign = page.getByRole('dialog', { name: new RegExp(`^Assign ${vf.replace(/[.]/g, '\\.')}`) });
  await expect(assign.getByRole('list', { name: 'Checks' })).toBeVisible({ timeout: 60_000 });
  await assign.getByRole('button', { name: 'Review the plan' }).click();
  await assign.getByRole('button', { name: 'Apply' }).click();
  await expect(assign.getByRole('status').filter({ hasText: 'is now on vfio-pci' })).toBeVisible({ timeout: 180_000 });
  await assign.getByRole('button', { name: 'Close' }).click();
  expect((await kernelState(gui.lab))[vf]).toMatchObject({ driver: 'vfio-pci' });

  await dialog.getByRole('button', { name: 'Check again' }).click();
  await expect(dialog.getByRole('button', { name: 'Save and start paused' })).toBeEnabled({ timeout: 60_000 });
  await expect(dialog.getByLabel('qemu command line', { exact: true })).toContainText(`vfio-pci,host=${vf}`);
  await keepScreenshot(page, test.info(), 'lab-vm-preview');
  await dialog.getByRole('button', { name: 'Save and start paused' }).click();
  await expect(dialog.getByTestId('vm-wizard-outcome')).toContainText(/Started \(pid \d+, paused before boot\)/, { timeout: 180_000 });
  await dialog.getByRole('button', { name: 'Close' }).click();

  // The VMs page: paused before boot, and the VF (82576 VF, 8086:10ca) on the guest's PCI bus.
  const card = page.getByRole('region', { name: 'vf-guest' });
  await expect(card.getByTestId('vm-state')).toHaveText('Paused before boot');
  await card.getByText(/^What the guest sees on its PCI bus/).click();
  await expect(card.getByRole('table', { name: 'PCI devices in vf-guest' })).toContainText('8086:10ca');
  await keepScreenshot(page, test.info(), 'lab-vm-running');
  await card.getByRole('button', { name: 'Force stop' }).click();
  // Force stop asks first, in the app's own dialog.
  await page.getByRole('alertdialog', { name: 'Force stop vf-guest?' }).getByRole('button', { name: 'Force stop vf-guest' }).click();
  await expect(card.getByTestId('vm-state')).toHaveText('Stopped', { timeout: 60_000 });

  // Give the VF back (so its PF's VFs can be removed next), through the wizard again.
  const panel = await openDetails(vf);
  await panel
    .getByRole('button', { name: /^Give back/ })
    .first()
    .click();
  const release = page.getByRole('dialog', { name: new RegExp(`^Give ${vf.replace(/[.]/g, '\\.')} back`) });
  await release.getByRole('button', { name: 'Review the plan' }).click();
  await release.getByRole('button', { name: 'Apply' }).click();
  await expect(currentStep(release)).toHaveText('4. Result', { timeout: 180_000 });
  await release.getByRole('button', { name: 'Close' }).click();
  expect((await kernelState(gui.lab))[vf]?.driver ?? null).not.toBe('vfio-pci');
});

test('sets the VFs back to 0 (and autoprobe back on); the kernel is as it was at boot', async () => {
  const panel = await openDetails(PF);
  await panel.getByRole('button', { name: 'Set number of VFs…' }).click();
  const dialog = gui.page.getByRole('dialog', { name: `Set the number of VFs of ${PF}` });
  const count = dialog.getByRole('spinbutton', { name: 'Number of VFs' });
  await expect(count).toHaveValue('2');
  await count.fill('0');
  const keep = dialog.getByRole('checkbox', { name: 'Keep new VFs without a host driver (for VMs)' });
  await expect(keep).toBeChecked();
  await keep.uncheck();
  await checkPlanApply(dialog, `${PF} now has 0 VFs.`, 'lab-sriov-0');

  expect(await kernelSriov(gui.lab, PF)).toMatchObject({ numVfs: 0, virtfns: [], autoprobe: '1', lspciVfs: 0 });
  expect(await kernelState(gui.lab)).toEqual(before);
  await expect(panel.getByRole('region', { name: 'SR-IOV' })).toContainText('No VFs enabled.');
  await goTo(gui.page, 'Network');
  await expect(gui.page.locator(`[data-pf="${PF}"]`)).toContainText('No VFs enabled');
});
