/**
 * The page follows a real kernel's devices and drivers by itself: `passthru serve` runs as root
 * in a lab guest (seed) with polling off (PASSTHRU_TEST_POLL_MS=0), so the only way the page can
 * learn of a change is the kernel's own events (`udevadm monitor`, `ip monitor`). Each change is
 * made in the guest behind the page's back — the igb PF unbound and bound again, its link taken
 * down, an address added — and nobody presses Refresh.
 *
 * The time is split in two, both read on this machine's clock: the guest's scan of itself (from
 * the page's `host:scan` request leaving to its answer arriving, read from the browser's own
 * WebSocket frames), and everything else — noticing the event, telling the page, rendering —
 * which must stay under a second. The scan is a CPU's work, and this guest's CPU is emulated
 * (TCG): a scan that takes about 70 ms on this machine's own kernel takes 0.6–2 s here. The
 * full second, scan included, is checked on this machine's kernel by e2e/specs/live-events.spec.ts
 * (links and addresses; the host's own devices are not this test's to unbind).
 *
 * `npm run test:lab-gui` (after a build); part of `npm test`.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { devicesGrid, goTo } from '../support/pages';
import { useGuiLab } from './gui-lab';

const PF = '0000:01:00.0';
/** TEST-NET-1 (RFC 5737): documentation only; nothing is sent to it (the link is down). */
const ADDRESS = '192.0.2.10';
const WITHIN_MS = 1000;

test.describe.configure({ mode: 'serial' });

const gui = useGuiLab('seed', { guestStateDir: '/tmp/passthru-lab-gui-refresh', pollMs: 0 });
const measured: string[] = [];
let pfIf = '';

/** When each `host:scan` request left the page and its answer arrived (this machine's clock), by request id. */
const scans = new Map<number, { sent: number; answered: number | null }>();

test.beforeAll(async () => {
  const cdp = await gui.page.context().newCDPSession(gui.page);
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketFrameSent', (e: { response: { payloadData: string } }) => {
    const m = /"id":(\d+),"channel":"host:scan"/.exec(e.response.payloadData);
    if (m) scans.set(Number(m[1]), { sent: Date.now(), answered: null });
  });
  cdp.on('Network.webSocketFrameReceived', (e: { response: { payloadData: string } }) => {
    const m = /^\{"type":"result","id":(\d+)/.exec(e.response.payloadData);
    const scan = m ? scans.get(Number(m[1])) : undefined;
    if (scan) scan.answered = Date.now();
  });
});

test.afterAll(() => {
  console.log(`[lab-gui live refresh] command returned → page showed it:\n  ${measured.join('\n  ')}`);
});

/** The Devices table's cell of `column` (its header's name) in `address`'s row. */
async function deviceCell(page: Page, address: string, column: string): Promise<Locator> {
  const headers = await devicesGrid(page).getByRole('columnheader').allInnerTexts();
  const index = headers.findIndex((h) => h.trim() === column);
  expect(index, `the Devices table has a ${column} column (it has: ${headers.join(', ')})`).toBeGreaterThanOrEqual(0);
  return devicesGrid(page).locator(`[role=row][data-address="${address}"]`).getByRole('gridcell').nth(index);
}

/**
 * Runs `command` in the guest and checks that the page shows its effect, and that apart from the
 * guest's scans in between, it took under WITHIN_MS from the command returning: `read` is what
 * the page shows, `changed` says whether it shows the change (false before the command: the page
 * must not show it already). Read every 25 ms, so the time measured is the page's, not the retry
 * schedule of an assertion.
 */
async function expectPageFollows(label: string, command: string, read: () => Promise<string>, changed: (shown: string) => boolean): Promise<void> {
  const before = await read();
  expect(changed(before), `${label}: before the command the page shows ${JSON.stringify(before)}`).toBe(false);
  const r = await gui.lab.runOk(['sh', '-c', `date +%s%3N; ${command}; date +%s%3N`]);
  const returned = Date.now();
  const [t0, t1] = r.stdout.trim().split('\n').map(Number);
  await expect.poll(async () => changed(await read()), { intervals: [25], timeout: 15_000, message: `${label}: the page never showed the change` }).toBe(true);
  const shown = Date.now();
  // The WebSocket frame that brought the change can reach this process (through CDP) a moment
  // after the page drew it: let it arrive before counting.
  await new Promise((r) => setTimeout(r, 250));
  // The guest's scans answered from just before the command returned until the page showed the
  // change (the one that brought it among them). When the scan was sent does not matter: under
  // TCG a scan asked for before the command can read the link after it.
  const scanned = [...scans.values()].filter((s) => s.answered !== null && s.answered >= returned - 1000 && s.answered <= shown + 250);
  expect(scanned.length, `${label}: the change came with a scan the page asked for`).toBeGreaterThanOrEqual(1);
  // Only the scanning done after the command returned and before the page showed it is the guest's share.
  const scanMs = scanned.reduce((sum, s) => sum + Math.max(0, Math.min(s.answered!, shown) - Math.max(s.sent, returned)), 0);
  const ms = shown - returned;
  measured.push(`${label}: ${ms} ms, of which the guest's scan ${scanMs} ms and the rest ${ms - scanMs} ms (the command itself ran ${t1! - t0!} ms in the guest)`);
  expect(ms - scanMs, `${label}: the page showed the change ${ms} ms after the command returned, ${scanMs} ms of it the guest scanning`).toBeLessThan(WITHIN_MS);
}

test('watches the kernel’s events, with polling off, and says so in the header', async () => {
  await expect(gui.page.getByTestId('watch-mode')).toHaveText(/kernel events/i);
  await expect(gui.page.getByTestId('change-route')).toHaveText(/as root/i);
});

test('a driver unbound and bound again behind its back shows in the Devices table, a second at most besides the guest’s own scan', async () => {
  const { page } = gui;
  await goTo(page, 'Devices');
  await page.getByRole('searchbox', { name: 'Search' }).fill(PF);
  const driver = await deviceCell(page, PF, 'Driver');
  await expect(driver).toHaveText('igb');
  const text = () => driver.innerText();
  await expectPageFollows('unbind igb', `echo ${PF} > /sys/bus/pci/drivers/igb/unbind`, text, (shown) => shown.trim() !== 'igb');
  await expectPageFollows('bind igb', `echo ${PF} > /sys/bus/pci/drivers/igb/bind`, text, (shown) => shown.trim() === 'igb');
});

test('a link taken down and an address added show on the Network page, a second at most besides the guest’s own scan', async () => {
  const { page, lab } = gui;
  // udev names the PF's interface (enp1s0) after the bind: wait for that name.
  for (let i = 0; i < 60 && !/^enp/.test(pfIf); i++) {
    pfIf = (await lab.run(['ls', `/sys/bus/pci/devices/${PF}/net`])).stdout.trim();
    if (!/^enp/.test(pfIf)) await new Promise((r) => setTimeout(r, 500));
  }
  expect(pfIf).toMatch(/^enp/);
  await goTo(page, 'Network');
  const row = page.getByRole('region', { name: 'Interfaces table' }).locator(`tr[data-interface="${pfIf}"]`);
  const link = row.locator('td').nth(1);
  const addresses = row.locator('td').nth(5);
  // Up first (its user-mode backend gives it a carrier), without timing: the page must see it too.
  await lab.runOk(['ip', 'link', 'set', 'dev', pfIf, 'up']);
  await expect(link).toContainText('up', { timeout: 15_000 });

  await expectPageFollows(
    'ip link set down',
    `ip link set dev ${pfIf} down`,
    () => link.innerText(),
    (shown) => /^down\b/.test(shown.trim()),
  );
  await expectPageFollows(
    'ip address add',
    `ip address add ${ADDRESS}/24 dev ${pfIf}`,
    () => addresses.innerText(),
    (shown) => shown.includes(`${ADDRESS}/24`),
  );
});
