/**
 * Shared setup for the GUI-against-a-real-kernel specs: boots a lab guest, runs `passthru
 * serve` in it as root — the product, as a headless host runs it — and opens it in this
 * machine's Chromium through a qemu hostfwd port on this machine's 127.0.0.1. In the guest it
 * listens on 0.0.0.0 (a hostfwd connection arrives on the guest's own address, not its
 * loopback), which `passthru serve` allows only with TLS: a throwaway self-signed certificate
 * made here for 127.0.0.1, which the page's browser context is told to accept. One guest and
 * one page per spec file; the hooks are registered by `useGuiLab()`.
 */
import { test, type Page } from '@playwright/test';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { bootLab, type LabHandle, type RunResult } from '../lab/boot';
import { makeCertificate } from '../../electron/serve/testing/certificate';
import { SERVING_LINE } from '../../electron/serve/testing/serve-process';

const GUEST_PORT = 8080;
const repoRoot = path.resolve(__dirname, '../..');
const cli = path.join(repoRoot, 'dist/cli/passthru.cjs');

export interface GuiLab {
  /** The booted guest (throws when read before the beforeAll hook ran). */
  readonly lab: LabHandle;
  /** The page showing the app served by `passthru serve` in the guest. */
  readonly page: Page;
  /** Everything `passthru serve` printed so far. */
  readonly serveOutput: string;
}

export interface GuiLabOptions {
  /** `passthru serve --state-dir` in the guest (its change journal). */
  guestStateDir: string;
  /** The host:changed polling interval (PASSTHRU_TEST_POLL_MS); default 2000 ms. */
  pollMs?: number;
}

/**
 * A throwaway certificate for 127.0.0.1 in a directory under the checkout: the guest sees this
 * machine's files (its / over virtio-9p).
 */
function throwawayCertificate(): { dir: string; cert: string; key: string } {
  mkdirSync(path.join(repoRoot, '.cache'), { recursive: true });
  const dir = mkdtempSync(path.join(repoRoot, '.cache', 'lab-gui-tls-'));
  return { dir, ...makeCertificate(dir) };
}

/** Polls the forwarded port until `passthru serve` answers there (401 without a session: the server, reachable). */
async function waitForServe(port: number, ca: Buffer, timeoutMs: number, exited: () => Promise<boolean>, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (await exited()) throw new Error(`passthru serve in the guest exited before it was reachable:\n${output()}`);
    const status = await new Promise<number | string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/', ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (e) => resolve(e.message));
      req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
      req.end();
    });
    if (status === 401) return;
    last = typeof status === 'number' ? `HTTP ${status}` : status;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`passthru serve in the guest was not reachable on 127.0.0.1:${port} within ${timeoutMs / 1000} s (last: ${last}); its output:\n${output()}`);
}

/**
 * Registers beforeAll/afterAll hooks that boot `scenario`, start `passthru serve` in it, log
 * the page in with the token it printed, and tear it all down (the server stopped by its pid,
 * its output attached, guest shut down). Call at the top level of a spec file, before the
 * file's own hooks.
 */
export function useGuiLab(scenario: string, options: GuiLabOptions): GuiLab {
  let lab: LabHandle | undefined;
  let page: Page | undefined;
  let serveRun: Promise<RunResult | Error> | undefined;
  let servePid = '';
  let serveOutput = '';
  let tls: ReturnType<typeof throwawayCertificate> | undefined;

  test.beforeAll(async ({ browser }, testInfo) => {
    testInfo.setTimeout(600_000);
    for (const built of [cli, path.join(repoRoot, 'dist/renderer/index.html')]) {
      if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (npm run test:lab-gui does).`);
    }
    tls = throwawayCertificate();
    // Missing qemu, kernel, busybox... fail here with the package to install (e2e/lab/prerequisites.ts).
    lab = await bootLab(scenario, { forwards: [{ hostPort: 0, guestPort: GUEST_PORT }] });
    console.log(`lab-gui: ${scenario} guest ready in ${(lab.timings.readyMs / 1000).toFixed(1)} s (kernel ${lab.kernel})`);

    // The server runs in the background in the guest for the whole file: `exec` keeps the
    // shell's pid (printed first) so it can be stopped by that pid at the end.
    serveRun = lab
      .run(
        [
          'sh',
          '-c',
          'echo "pid $$"; exec "$0" "$@"',
          process.execPath,
          cli,
          'serve',
          '--listen',
          '0.0.0.0',
          '--port',
          String(GUEST_PORT),
          '--tls-cert',
          tls.cert,
          '--tls-key',
          tls.key,
          '--state-dir',
          options.guestStateDir,
        ],
        {
          // As for every GUI spec: NAT NICs of VMs started from the page reach nothing.
          env: { PASSTHRU_TEST_POLL_MS: String(options.pollMs ?? 2000), PASSTHRU_RESTRICT_NAT: '1' },
          timeoutMs: 3_600_000,
          onStdout: (d) => (serveOutput += String(d)),
          onStderr: (d) => (serveOutput += String(d)),
        },
      )
      .catch((e: Error) => e);
    const run = serveRun;
    const exited = () => Promise.race([run.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 0))]);
    const hostPort = lab.forwards[0]!.hostPort;
    await waitForServe(hostPort, readFileSync(tls.cert), 180_000, exited, () => serveOutput);
    // The guest's output reaches this side through the agent, possibly after the port answers.
    for (let i = 0; i < 60 && !SERVING_LINE.test(serveOutput); i++) await new Promise((r) => setTimeout(r, 500));
    // The guest prints its own name and port; the token is what this side needs.
    const token = /[?&]token=([A-Za-z0-9_-]+)/.exec(SERVING_LINE.exec(serveOutput)?.[1] ?? '')?.[1];
    if (!token) throw new Error(`passthru serve in the guest printed no address with a token:\n${serveOutput}`);
    servePid = /^pid (\d+)$/m.exec(serveOutput)?.[1] ?? '';
    console.log(`lab-gui: passthru serve in the guest reachable at https://127.0.0.1:${hostPort}/ (guest pid ${servePid || '?'})`);

    // The certificate is this test's own, made a minute ago: the browser is told to accept it.
    const context = await browser.newContext({ viewport: testInfo.project.use.viewport ?? null, ignoreHTTPSErrors: true });
    page = await context.newPage();
    await page.goto(`https://127.0.0.1:${hostPort}/?token=${token}`);
  });

  test.afterAll(async () => {
    const testInfo = test.info();
    testInfo.setTimeout(120_000);
    await page?.context().close();
    if (lab && servePid) await lab.run(['kill', servePid]).catch(() => undefined);
    if (serveRun) await Promise.race([serveRun, new Promise((r) => setTimeout(r, 15_000))]);
    if (serveOutput) await testInfo.attach('serve-output', { body: serveOutput, contentType: 'text/plain' });
    await lab?.shutdown();
    if (tls) rmSync(tls.dir, { recursive: true, force: true });
  });

  return {
    get lab() {
      if (!lab) throw new Error('the lab guest is not booted (beforeAll failed or has not run)');
      return lab;
    },
    get page() {
      if (!page) throw new Error('the page is not open (beforeAll failed or has not run)');
      return page;
    },
    get serveOutput() {
      return serveOutput;
    },
  };
}
