import { defineConfig } from '@playwright/test';
import { chromiumProject } from './e2e/support/chromium-project';

/**
 * GUI end-to-end specs. Project "chromium" runs the built renderer in Debian's Chromium over
 * `passthru serve` (no browser download: executablePath is the system one). Project "electron"
 * runs the same specs in the real app when an Electron binary is installed, and reports
 * loudly that it skipped when not.
 */
export default defineConfig({
  testDir: 'e2e/specs',
  outputDir: 'test-results/e2e',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'test-results/e2e-report' }]],
  use: {
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    chromiumProject,
    {
      name: 'electron',
      use: { viewport: { width: 1400, height: 900 } },
      metadata: { electron: true },
    },
  ],
});
