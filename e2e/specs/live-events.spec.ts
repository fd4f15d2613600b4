/**
 * The page follows this machine's own kernel by itself: `passthru serve` runs in a network
 * namespace made for the test (so every interface it shows is the test's own), with polling
 * off (PASSTHRU_TEST_POLL_MS=0), so the page can only learn of a change through the kernel's
 * events. A link is added, brought up, taken down, and given an address behind the page's
 * back, and the page must show each within a second of the command returning. (Devices and
 * drivers are the host's: the lab GUI spec unbinds and binds a NIC in a guest instead,
 * e2e/lab-gui/live-refresh.lab.spec.ts.)
 *
 * Needs root (a network namespace); Chromium only (Electron has no server). The browser reaches
 * the server's unix socket through a TCP forwarder on 127.0.0.1, as `ssh -L` would.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from '@playwright/test';
import { spawnServe, type ServeProcess } from '../../electron/serve/testing/serve-process';
import { test, expect, repoRoot } from '../support/app';
import { goTo } from '../support/pages';
import { forwardToUnixSocket } from '../support/socket-forwarder';

const WITHIN_MS = 1000;
/** TEST-NET-1 (RFC 5737), on a veth pair inside the test's namespace: nothing leaves it. */
const ADDRESS = '192.0.2.10';

test.describe('live updates from this machine’s kernel', () => {
  const ns = `passthru-events-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'passthru-live-events-'));
  let served: ServeProcess | undefined;
  let forwarder: net.Server | undefined;
  let browser: Browser | undefined;
  /** Whether this test made the namespace (not when it skipped). */
  let created = false;
  const measured: string[] = [];

  test.beforeEach(({ playwright: _ }, testInfo) => {
    test.skip(testInfo.project.name === 'electron', 'passthru serve is the browser front end: nothing to check in Electron');
    if (process.getuid?.() !== 0) {
      const message = 'SKIPPED: this spec makes a network namespace, which needs root (CI runs as root).';
      console.warn(`\n*** ${message} ***\n`);
      test.skip(true, message);
    }
  });

  test.afterEach(async () => {
    await browser?.close();
    served?.child.kill('SIGTERM');
    forwarder?.close();
    browser = undefined;
    served = undefined;
    forwarder = undefined;
    if (created) execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' });
    created = false;
    if (measured.length) console.log(`[live events] command returned → page showed it:\n  ${measured.join('\n  ')}`);
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a link added, up, down and given an address shows on the Network page within a second, polling off', async ({ playwright }, testInfo) => {
    test.setTimeout(120_000);
    const ip = (...args: string[]) => execFileSync('ip', ['-n', ns, ...args], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'add', ns]);
    created = true;
    // No IPv6 in the namespace: its address configuration after a link comes up (DAD) would go on
    // sending events into the next step's measurement.
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    ip('link', 'set', 'lo', 'up');
    const socket = join(dir, 'serve.sock');
    served = await spawnServe(
      join(repoRoot, 'dist/cli/passthru.cjs'),
      ['--listen', `unix:${socket}`, '--state-dir', join(dir, 'state')],
      { PASSTHRU_TEST_POLL_MS: '0', PASSTHRU_TEST_OWNER: 'none' },
      20_000,
      ['ip', 'netns', 'exec', ns],
    );
    // What `ssh -L PORT:SOCKET` does, on this machine.
    const forwarded = await forwardToUnixSocket(socket, served.url);
    forwarder = forwarded.server;

    browser = await playwright.chromium.launch(testInfo.project.use.launchOptions);
    const page = await (await browser.newContext({ viewport: testInfo.project.use.viewport ?? null })).newPage();
    await page.goto(forwarded.url);
    await expect(page.getByTestId('watch-mode')).toContainText('Updates: kernel events');
    await goTo(page, 'Network');
    const table = page.getByRole('region', { name: 'Interfaces table' });
    const row = (name: string) => table.locator(`tr[data-interface="${name}"]`);
    await expect(row('lo')).toBeVisible();

    /** Runs `ip -n NS …args` and polls the page (every 25 ms) until `shows` holds; checks the time. */
    const follows = async (label: string, args: string[], shows: () => Promise<boolean>) => {
      expect(await shows(), `${label}: the page shows it before the command`).toBe(false);
      // The previous step's events are over: this step is measured on its own.
      await new Promise((r) => setTimeout(r, 500));
      ip(...args);
      const returned = Date.now();
      await expect.poll(shows, { intervals: [25], timeout: 15_000, message: `${label}: the page never showed it` }).toBe(true);
      const ms = Date.now() - returned;
      measured.push(`${label}: ${ms} ms`);
      expect(ms, `${label}: shown ${ms} ms after the command returned`).toBeLessThan(WITHIN_MS);
    };
    const linkOf = async (name: string) => ((await row(name).count()) ? (await row(name).locator('td').nth(1).innerText()).trim() : '');

    await follows('ip link add (veth pair)', ['link', 'add', 'pt0', 'type', 'veth', 'peer', 'name', 'pt1'], async () => (await row('pt0').count()) === 1);
    ip('link', 'set', 'pt1', 'up');
    await follows('ip link set up', ['link', 'set', 'pt0', 'up'], async () => /^up\b/.test(await linkOf('pt0')));
    await follows('ip link set down', ['link', 'set', 'pt0', 'down'], async () => /^down\b/.test(await linkOf('pt0')));
    await follows('ip address add', ['address', 'add', `${ADDRESS}/24`, 'dev', 'pt0'], async () => (await row('pt0').locator('td').nth(5).innerText()).includes(`${ADDRESS}/24`));
    await follows('ip link delete', ['link', 'delete', 'pt0'], async () => (await row('pt0').count()) === 0);
  });
});
