/**
 * `passthru serve` as a headless host runs it, at scale: how long from starting the server to
 * the Devices table painted in a browser, and what the server costs in CPU while nothing
 * happens, with a page open, watching for changes through the kernel's events or by polling.
 *
 * Start → painted: the server is spawned (node starting, the bundle loading), its printed
 * address opened in a fresh browser context of an already running Chromium, and the page's
 * own probe (page-probes.ts) says when the table's first rows were painted, relative to its
 * navigation; the time before the navigation is this process's clock.
 *
 * Idle CPU: the user and system time of the server and its children (the event monitors)
 * from /proc, read before and after a quiet minute with the Devices page open. Both ways
 * watch the same tree: polling reads its fingerprint every 2 s (the default), events wait for
 * this machine's kernel to say something changed (PASSTHRU_TEST_WATCH=always; on an idle
 * machine nothing does, which is the point: the cost does not grow with the host).
 */
import { chromium, type Browser } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { spawnServe, type ServeProcess } from '../../electron/serve/testing/serve-process';
import { chromiumProject } from '../support/chromium-project';
import { repoRoot } from '../support/repo';
import { openDevices } from './measure-gui';
import { stats, type Stats } from './measure-scan';

export interface ServeResult {
  rowCount: number;
  /** Spawn of `passthru serve` → the Devices table painted in the browser. */
  startToPainted: Stats;
  /** Of it: spawn → the server printing its address. */
  startToListening: Stats;
  idleSeconds: number;
  /** CPU time of the server and its children over the idle window, as % of one core. */
  idleCpu: { events: number; polling: number; pollIntervalMs: number };
}

const CLI = () => path.join(repoRoot(), 'dist/cli/passthru.cjs');

/** Clock ticks of user + system time of `pid` and every process below it, now. */
function treeTicks(pid: number): number {
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // The command name may hold spaces and parentheses: fields count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    ticks.set(Number(name), Number(fields[11]) + Number(fields[12]));
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  let sum = 0;
  for (const stack = [pid]; stack.length;) {
    const p = stack.pop()!;
    sum += ticks.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return sum;
}

/** USER_HZ: /proc's clock ticks per second (100 on Linux x86). */
const TICKS_PER_SECOND = 100;

async function idleCpu(browser: Browser, root: string, rowCount: number, watch: 'always' | 'never', seconds: number): Promise<number> {
  let served: ServeProcess | undefined;
  try {
    // Polling at the app's own default interval (no PASSTHRU_TEST_POLL_MS).
    served = await spawnServe(CLI(), ['--root', root, '--port', '0'], { PASSTHRU_TEST_WATCH: watch }, 60_000);
    const { page } = await openDevices(browser, served.url, rowCount);
    // Let the start settle (JIT, the first scans) before the window opens.
    await new Promise((r) => setTimeout(r, 5000));
    const pid = served.child.pid!;
    const before = treeTicks(pid);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const used = treeTicks(pid) - before;
    await page.context().close();
    return (used / TICKS_PER_SECOND / seconds) * 100;
  } finally {
    served?.child.kill('SIGTERM');
  }
}

export async function measureServe(root: string, rowCount: number, runs: number, idleSeconds: number, log: (s: string) => void): Promise<ServeResult> {
  const browser = await chromium.launch(chromiumProject.use!.launchOptions);
  try {
    const total: number[] = [];
    const listening: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      // Polling off: nothing but the load itself runs.
      const served = await spawnServe(CLI(), ['--root', root, '--port', '0'], { PASSTHRU_TEST_POLL_MS: '0' }, 60_000);
      try {
        listening.push(performance.now() - t0);
        // The page's probe times from its own navigation start: add the time before it.
        const { page, painted, navigated } = await openDevices(browser, served.url, rowCount);
        total.push(navigated - t0 + painted);
        await page.context().close();
      } finally {
        served.child.kill('SIGTERM');
      }
    }
    log(`serve: start → Devices painted ${stats(total).median.toFixed(0)} ms at ${rowCount} functions; idle CPU over ${idleSeconds} s next`);
    const events = await idleCpu(browser, root, rowCount, 'always', idleSeconds);
    const polling = await idleCpu(browser, root, rowCount, 'never', idleSeconds);
    log(`serve: idle CPU events ${events.toFixed(2)} %, polling ${polling.toFixed(2)} %`);
    return { rowCount, startToPainted: stats(total), startToListening: stats(listening), idleSeconds, idleCpu: { events, polling, pollIntervalMs: 2000 } };
  } finally {
    await browser.close();
  }
}
