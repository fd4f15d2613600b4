/**
 * The Devices page at scale, in Debian's Chromium through `passthru serve` (the Electron
 * runtime cannot be downloaded here). Every time is taken inside the page (page-probes.ts) with
 * performance.now(): from the user's action (navigation, a click on a column header, the
 * search box's input event) to the frame showing the result painted.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import path from 'node:path';
import { spawnServe, type ServeProcess } from '../../electron/serve/testing/serve-process';
import { chromiumProject } from '../support/chromium-project';
import { repoRoot } from '../support/repo';
import { stats, type Stats } from './measure-scan';

export interface GuiResult {
  chromium: string;
  firstContentfulPaint: Stats;
  /** Navigation → the scan's data received over the WebSocket of `passthru serve` (includes its scan). */
  scanReceived: Stats;
  /** Navigation → the Devices table with its first rows painted. */
  tablePainted: Stats;
  sort: Stats;
  filter: Stats;
  /** Most device rows in the DOM at any point (after load, each sort and filter, at the end of the list). */
  maxRenderedRows: number;
  rowCount: number;
}

function startServe(root: string): Promise<ServeProcess> {
  // Polling disabled: a re-scan in the background would land in the middle of a measurement.
  return spawnServe(path.join(repoRoot(), 'dist/cli/passthru.cjs'), ['--root', root, '--port', '0'], { PASSTHRU_TEST_POLL_MS: '0' });
}

const renderedRows = (page: Page) => page.locator('[role=grid][aria-label="PCI devices"] [role=row][data-address]').count();

/** The bench's page script (e2e/bench/page-probes.ts), built next to this bundle. */
const PROBES = path.join(repoRoot(), 'dist/bench/page-probes.js');

/** What page-probes.ts puts on window (functions, not strings: the app's CSP forbids eval). */
interface Probes {
  __bench: { tablePainted?: number; scanReceived?: number; sort(label: string): Promise<number>; filter(query: string): Promise<number> };
}
const sortOnce = (page: Page, column: string) => page.evaluate((c) => (globalThis as unknown as Probes).__bench.sort(c), column);
const filterOnce = (page: Page, query: string) => page.evaluate((q) => (globalThis as unknown as Probes).__bench.filter(q), query);

/**
 * Opens the Devices page in a new context of `browser`, with the page probes, and waits for the
 * table painted with all `rowCount` devices. `painted`: the page's own time of the table's first
 * rows painted, from its navigation; `navigated`: this process's clock just before navigating.
 */
export async function openDevices(browser: Browser, url: string, rowCount: number): Promise<{ page: Page; painted: number; navigated: number }> {
  const context = await browser.newContext({ viewport: chromiumProject.use!.viewport ?? null });
  const page = await context.newPage();
  await page.addInitScript({ path: PROBES });
  const navigated = performance.now();
  await page.goto(`${url}#/devices`);
  await page.waitForFunction(() => (globalThis as unknown as Probes).__bench?.tablePainted !== undefined, null, { timeout: 60_000 });
  await page
    .getByRole('status')
    .filter({ hasText: `${rowCount} devices` })
    .waitFor({ timeout: 60_000 });
  const painted = await page.evaluate(() => (globalThis as unknown as Probes).__bench.tablePainted!);
  return { page, painted, navigated };
}

/** Loads the Devices page `loads` times, then sorts and filters the table of the last load. */
export async function measureGui(root: string, rowCount: number, loads: number): Promise<GuiResult> {
  const { url, child } = await startServe(root);
  const browser = await chromium.launch(chromiumProject.use!.launchOptions);
  try {
    const fcp: number[] = [];
    const received: number[] = [];
    const painted: number[] = [];
    let page: Page | null = null;
    let maxRendered = 0;
    for (let i = 0; i < loads; i++) {
      await page?.context().close();
      ({ page } = await openDevices(browser, url, rowCount));
      const t = await page.evaluate(() => {
        const b = (globalThis as unknown as Probes).__bench;
        return { fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN, received: b.scanReceived ?? NaN, painted: b.tablePainted ?? NaN };
      });
      fcp.push(t.fcp);
      received.push(t.received);
      painted.push(t.painted);
      maxRendered = Math.max(maxRendered, await renderedRows(page));
    }
    if (page === null) throw new Error('no page loaded');
    const sorts: number[] = [];
    // Columns shown by default (the chooser hides IOMMU group and Class until asked for).
    for (const column of ['Driver', 'Device', 'Passthrough', 'SR-IOV', 'Address']) {
      for (let k = 0; k < 2; k++) {
        sorts.push(await sortOnce(page, column));
        maxRendered = Math.max(maxRendered, await renderedRows(page));
      }
    }
    const filters: number[] = [];
    // Each query from the full list, then back to it: every step changes the status line.
    for (const query of ['iavf', 'vfio', 'Mellanox', '0000:21:', 'nvme', 'no such device']) {
      for (const q of [query, '']) {
        filters.push(await filterOnce(page, q));
        maxRendered = Math.max(maxRendered, await renderedRows(page));
      }
    }
    // The end of the list, reached from the keyboard: still a window of rows.
    await page.locator('[role=grid][aria-label="PCI devices"] [role=row][data-address]').first().focus();
    await page.keyboard.press('End');
    await page.waitForTimeout(200);
    maxRendered = Math.max(maxRendered, await renderedRows(page));
    return {
      chromium: browser.version(),
      firstContentfulPaint: stats(fcp),
      scanReceived: stats(received),
      tablePainted: stats(painted),
      sort: stats(sorts),
      filter: stats(filters),
      maxRenderedRows: maxRendered,
      rowCount,
    };
  } finally {
    await browser.close();
    child.kill('SIGTERM');
  }
}
