/**
 * What only a browser shows of `passthru serve` (the server's own checks are unit tests over
 * real sockets, electron/serve/serve-security.test.ts): the built app runs under the server's
 * Content-Security-Policy with no violation and no inline script; the token leaves the address
 * bar at once and the session cookie is HttpOnly and SameSite=Strict; without the token the
 * page is one sentence; over TLS (as the lab GUI runs it) the page logs in and talks over wss;
 * and Open snapshot…, without a folder picker, asks for the path. Chromium only: Electron has no server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserType, Page, TestInfo } from '@playwright/test';
import { spawnServe, type ServeProcess } from '../../electron/serve/testing/serve-process';
import { makeCertificate } from '../../electron/serve/testing/certificate';
import { test, expect, fixtureRoot, repoRoot } from '../support/app';
import { goTo } from '../support/pages';

const cli = join(repoRoot, 'dist/cli/passthru.cjs');

test.describe('passthru serve in a browser', () => {
  let served: ServeProcess | undefined;
  let browser: Browser | undefined;

  test.beforeEach(({ playwright: _ }, testInfo) => {
    test.skip(testInfo.project.name === 'electron', 'passthru serve is the browser front end: nothing to check in Electron');
  });
  test.afterEach(async () => {
    await browser?.close();
    served?.child.kill('SIGTERM');
    browser = undefined;
    served = undefined;
  });

  /** Starts the server (on the seed fixture unless args say otherwise) and a browser context. */
  async function open(playwright: { chromium: BrowserType }, testInfo: TestInfo, args: string[] = [], options: { ignoreHTTPSErrors?: boolean } = {}) {
    served = await spawnServe(cli, ['--root', fixtureRoot('seed'), '--port', '0', ...args], { PASSTHRU_TEST_OWNER: 'none' });
    browser = await playwright.chromium.launch(testInfo.project.use.launchOptions);
    const context = await browser.newContext({ ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false });
    return { context, page: await context.newPage(), url: new URL(served.url) };
  }

  /** Every Content-Security-Policy violation the page reports, as it happens. */
  async function watchViolations(page: Page): Promise<string[]> {
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.exposeFunction('__reportViolation', (text: string) => violations.push(text));
    await page.addInitScript(() => {
      const page = globalThis as unknown as {
        document: { addEventListener(type: string, listener: (e: { violatedDirective: string; blockedURI: string }) => void): void };
        __reportViolation(text: string): void;
      };
      page.document.addEventListener('securitypolicyviolation', (e) => page.__reportViolation(`${e.violatedDirective} ${e.blockedURI}`));
    });
    return violations;
  }

  test('the app runs under the server CSP with no violation; the token leaves the address bar; the cookie is HttpOnly and SameSite=Strict', async ({ playwright }, testInfo) => {
    const { context, page, url } = await open(playwright, testInfo);
    const violations = await watchViolations(page);
    const response = await page.goto(url.href);
    expect(response?.headers()['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    expect(page.url()).toBe(`${url.origin}/`);
    // Data came over the WebSocket: the seed host's devices.
    await goTo(page, 'Devices');
    await expect(page.getByRole('row', { name: /82576/ }).first()).toBeVisible();
    expect(await page.locator('script:not([src])').count()).toBe(0);
    // The header says how a change would go: on a snapshot, nowhere; and that the snapshot is polled.
    await expect(page.getByTestId('change-route')).toContainText('Changes: plans only');
    await expect(page.getByTestId('watch-mode')).toContainText('Updates: every 2 s');
    expect(violations).toEqual([]);
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', secure: false });
    expect(cookies[0]!.value).not.toBe(url.searchParams.get('token'));
    // HttpOnly: no script in the page can read it.
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).toBe('');
  });

  test('without the token the page is one sentence saying how to get in', async ({ playwright }, testInfo) => {
    const { page, url } = await open(playwright, testInfo);
    const response = await page.goto(url.origin);
    expect(response?.status()).toBe(401);
    await expect(page.locator('body')).toHaveText('Open the address `passthru serve` printed, with its token.');
    const wrong = await page.goto(`${url.origin}/?token=${'A'.repeat(43)}`);
    expect(wrong?.status()).toBe(401);
  });

  test('over TLS with a self-signed certificate (as the lab GUI runs it): logged in with a Secure cookie, data over wss', async ({ playwright }, testInfo) => {
    const dir = mkdtempSync(join(tmpdir(), 'passthru-serve-tls-'));
    try {
      const { cert, key } = makeCertificate(dir);
      const { context, page, url } = await open(playwright, testInfo, ['--tls-cert', cert, '--tls-key', key], { ignoreHTTPSErrors: true });
      expect(url.protocol).toBe('https:');
      const violations = await watchViolations(page);
      await page.goto(url.href);
      expect(page.url()).toBe(`${url.origin}/`);
      await goTo(page, 'Devices');
      await expect(page.getByRole('row', { name: /82576/ }).first()).toBeVisible();
      expect(violations).toEqual([]);
      expect((await context.cookies())[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Open snapshot… in a browser asks for the folder’s path on the serving host: Escape backs out, a relative path is explained, a path opens it', async ({
    playwright,
  }, testInfo) => {
    const { page, url } = await open(playwright, testInfo);
    await page.goto(url.href);
    await expect(page.getByTestId('source')).toContainText('seed');
    const opener = page.getByRole('button', { name: 'Open snapshot…' });
    const dialog = page.getByRole('dialog', { name: 'Open a snapshot' });
    const field = dialog.getByLabel('Snapshot folder on the host running Passthru');
    await opener.click();
    await expect(field).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(opener).toBeFocused();
    await expect(page.getByTestId('source')).toContainText('seed');

    await opener.click();
    await field.fill('snapshots/router');
    await page.keyboard.press('Enter');
    await expect(field).toHaveAccessibleDescription(/Give the full path, starting with \//);
    await field.fill(fixtureRoot('many-vfs'));
    await page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('source')).toContainText('many-vfs');
    await expect(page.getByRole('alert')).toHaveCount(0);
  });
});
