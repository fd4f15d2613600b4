/**
 * The Playwright project both GUI configs use: Debian's Chromium (never a downloaded browser),
 * without the background services a test run has no use for; `--no-sandbox` only as root,
 * where Chromium's sandbox refuses to start.
 */
import type { PlaywrightTestProject } from '@playwright/test';

export const chromiumProject: PlaywrightTestProject = {
  name: 'chromium',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.PASSTHRU_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ],
    },
    viewport: { width: 1400, height: 900 },
  },
};
