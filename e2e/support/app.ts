/**
 * The `app` fixture: a page showing Passthru on a given host root, either the built app in
 * Chromium through `passthru serve` — the product, started as `node dist/cli/passthru.cjs
 * serve`, logged in with the token it prints (project "chromium") — or the real Electron app
 * (project "electron", skipped loudly when no Electron runtime is installed).
 */
import { test as base, _electron, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnServe, type ServeProcess } from '../../electron/serve/testing/serve-process';
import { electronBinary } from './electron-binary';

export const repoRoot = resolve(__dirname, '../..');
export const fixtureRoot = (name: string) => join(repoRoot, 'e2e/fixtures', name);
/** When a fixture host was captured, as its manifest says: fixtures are captured again whenever the lab's kernel changes. */
export const fixtureCapturedAt = (name: string): string =>
  (JSON.parse(readFileSync(join(fixtureRoot(name), 'passthru-snapshot', 'manifest.json'), 'utf8')) as { capturedAt: string }).capturedAt;

export interface OpenOptions {
  /** Fixture host under e2e/fixtures, or an absolute root. */
  fixture: string;
  /** Folder Electron's "Open snapshot…" picker returns (a stubbed dialog); a browser asks for the path in the page (support/pages.ts, openSnapshotFromHeader). */
  pickSnapshot?: string;
  /** `passthru serve --state-dir` (browser only). */
  stateDir?: string;
  /** VM profiles and runtime files (PASSTHRU_CONFIG_DIR, PASSTHRU_RUNTIME_DIR; browser only). */
  vmDirs?: { config: string; runtime: string };
  /** VMs run under TCG (PASSTHRU_TEST_VM_ACCEL; browser only). */
  vmAccel?: 'tcg';
}

export interface AppFixture {
  open(options: OpenOptions): Promise<Page>;
}

function startServe(options: OpenOptions): Promise<ServeProcess> {
  const root = options.fixture.startsWith('/') ? options.fixture : fixtureRoot(options.fixture);
  const args = ['--root', root, '--port', '0', ...(options.stateDir ? ['--state-dir', options.stateDir] : [])];
  const env: Record<string, string> = {
    PASSTHRU_TEST_POLL_MS: '300',
    // Plans are compared as made for nobody in particular, whoever runs the specs.
    PASSTHRU_TEST_OWNER: 'none',
    ...(options.vmDirs ? { PASSTHRU_CONFIG_DIR: options.vmDirs.config, PASSTHRU_RUNTIME_DIR: options.vmDirs.runtime } : {}),
    ...(options.vmAccel ? { PASSTHRU_TEST_VM_ACCEL: options.vmAccel } : {}),
  };
  return spawnServe(join(repoRoot, 'dist/cli/passthru.cjs'), args, env);
}

export const test = base.extend<{ app: AppFixture }>({
  // Deliberately not built on Playwright's `page`/`browser` fixtures: in the electron project
  // they would try to launch a downloaded browser.
  app: async ({ playwright }, use, testInfo) => {
    const cleanups: (() => Promise<void> | void)[] = [];
    const isElectron = testInfo.project.name === 'electron';
    await use({
      async open(options) {
        if (isElectron) return openElectron(options, testInfo, cleanups);
        const { url, child } = await startServe(options);
        cleanups.push(() => void child.kill('SIGTERM'));
        const browser = await playwright.chromium.launch(testInfo.project.use.launchOptions);
        cleanups.push(() => browser.close());
        // A real context (not browser.newPage) so axe can open its own frames in it.
        const context = await browser.newContext({ viewport: testInfo.project.use.viewport ?? null });
        const page = await context.newPage();
        await page.goto(url);
        return page;
      },
    });
    for (const cleanup of cleanups.reverse()) await cleanup();
  },
});

async function openElectron(options: OpenOptions, testInfo: TestInfo, cleanups: (() => Promise<void> | void)[]): Promise<Page> {
  const binary = electronBinary();
  if (!binary.path) {
    const message = `SKIPPED (Electron): ${binary.reason}. The Electron specs need the Electron runtime; set PASSTHRU_ELECTRON or run npm install where it can be downloaded.`;
    console.warn(`\n*** ${message} ***\n`);
    testInfo.skip(true, message);
  }
  const root = options.fixture.startsWith('/') ? options.fixture : fixtureRoot(options.fixture);
  const extra = process.getuid?.() === 0 ? ['--no-sandbox', '--allow-root'] : [];
  const electronApp = await _electron.launch({
    executablePath: binary.path!,
    args: [join(repoRoot, 'dist/main/main.cjs'), ...extra, '--root', root],
  });
  cleanups.push(() => electronApp.close());
  if (options.pickSnapshot) {
    // Stands in for the user choosing a folder in the native picker.
    await electronApp.evaluate(({ dialog }, chosen) => {
      dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [chosen] })) as typeof dialog.showOpenDialog;
    }, options.pickSnapshot);
  }
  return electronApp.firstWindow();
}

/** Saves a full-page screenshot as a test artifact (attached to the report and kept on disk). */
export async function keepScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const dir = join(repoRoot, 'test-results/screenshots', testInfo.project.name);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

export { expect } from '@playwright/test';
