/**
 * Shared setup for the GUI-against-a-real-kernel specs: boots a lab guest, runs the test
 * bridge in it as root (listening on the management NIC, reached through a qemu hostfwd port
 * on this machine's 127.0.0.1), and opens the built renderer in this machine's Chromium. One
 * guest and one page per spec file; the hooks are registered by `useGuiLab()`.
 */
import { test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bootLab, type LabHandle, type RunResult } from '../lab/boot';

const GUEST_PORT = 8080;
const repoRoot = path.resolve(__dirname, '../..');
const bridgeScript = path.join(repoRoot, 'dist/bridge/server.cjs');

export interface GuiLab {
  /** The booted guest (throws when read before the beforeAll hook ran). */
  readonly lab: LabHandle;
  /** The page showing the renderer served by the bridge in the guest. */
  readonly page: Page;
  /** Everything the bridge printed so far. */
  readonly bridgeOutput: string;
}

export interface GuiLabOptions {
  /** The bridge's --state-dir in the guest (its change journal). */
  guestStateDir: string;
  /** The bridge's host:changed polling interval; default 2000 ms. */
  pollMs?: number;
}

/** Polls the forwarded port until the bridge answers with the renderer page. */
async function waitForBridge(url: string, timeoutMs: number, exited: () => Promise<boolean>, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (await exited()) throw new Error(`the bridge in the guest exited before it was reachable:\n${output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (res.ok && (await res.text()).includes('/__bridge/client.js')) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the bridge in the guest was not reachable at ${url} within ${timeoutMs / 1000} s (last: ${last}); its output:\n${output()}`);
}

/**
 * Registers beforeAll/afterAll hooks that boot `scenario`, start the bridge in it and open the
 * page, and tear it all down (bridge stopped by its pid, its output attached, guest shut down).
 * Call at the top level of a spec file, before the file's own hooks.
 */
export function useGuiLab(scenario: string, options: GuiLabOptions): GuiLab {
  let lab: LabHandle | undefined;
  let page: Page | undefined;
  let bridgeRun: Promise<RunResult | Error> | undefined;
  let bridgePid = '';
  let bridgeOutput = '';

  test.beforeAll(async ({ browser }, testInfo) => {
    testInfo.setTimeout(600_000);
    for (const built of [bridgeScript, path.join(repoRoot, 'dist/bridge/client.js'), path.join(repoRoot, 'dist/renderer/index.html')]) {
      if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (npm run test:lab-gui does).`);
    }
    // Missing qemu, kernel, busybox... fail here with the package to install (e2e/lab/prerequisites.ts).
    lab = await bootLab(scenario, { forwards: [{ hostPort: 0, guestPort: GUEST_PORT }] });
    console.log(`lab-gui: ${scenario} guest ready in ${(lab.timings.readyMs / 1000).toFixed(1)} s (kernel ${lab.kernel})`);

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
          options.guestStateDir,
          '--poll-ms',
          String(options.pollMs ?? 2000),
        ],
        {
          timeoutMs: 3_600_000,
          onStdout: (d) => (bridgeOutput += String(d)),
          onStderr: (d) => (bridgeOutput += String(d)),
        },
      )
      .catch((e: Error) => e);
    const run = bridgeRun;
    const url = `http://127.0.0.1:${lab.forwards[0]!.hostPort}/`;
    await waitForBridge(
      url,
      180_000,
      () => Promise.race([run.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 0))]),
      () => bridgeOutput,
    );
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

  return {
    get lab() {
      if (!lab) throw new Error('the lab guest is not booted (beforeAll failed or has not run)');
      return lab;
    },
    get page() {
      if (!page) throw new Error('the page is not open (beforeAll failed or has not run)');
      return page;
    },
    get bridgeOutput() {
      return bridgeOutput;
    },
  };
}
