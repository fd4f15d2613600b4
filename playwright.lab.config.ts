import { defineConfig } from '@playwright/test';
import { chromiumProject } from './e2e/support/chromium-project';

/**
 * GUI end to end against a real kernel (`npm run test:lab-gui`): `passthru serve` runs as root
 * inside a lab guest (qemu, TCG), the built renderer is opened in Debian's Chromium on this
 * machine through a qemu hostfwd port on 127.0.0.1, and every change the wizard makes is
 * checked in the guest's sysfs. One guest boot per file, files one at a time; TCG on two
 * cores is slow, hence the long timeouts. Kept apart from playwright.config.ts (testDir
 * e2e/specs), which never sees these specs.
 */
export default defineConfig({
  testDir: 'e2e/lab-gui',
  testMatch: '**/*.lab.spec.ts',
  outputDir: 'test-results/lab-gui',
  timeout: 300_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'test-results/lab-gui-report' }]],
  use: {
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    actionTimeout: 60_000,
    navigationTimeout: 120_000,
  },
  projects: [chromiumProject],
});
