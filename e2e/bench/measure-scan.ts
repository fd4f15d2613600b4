/**
 * Scan timings on one tree: `passthru scan --json` and `lspci -nnk` as whole processes, run
 * alternately (so load and cache state hit both alike), the scan in-process in a fresh child
 * (after a warm-up), and peak RSS.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import path from 'node:path';
import { RootFs } from '../../electron/host/fs/root-fs';
import { scanHost } from '../../electron/host/scan';
import { repoRoot } from '../support/repo';
import { which } from '../support/which';

export interface Stats {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number, runs: s.length };
}

export const cliPath = () => path.join(repoRoot(), 'dist/cli/passthru.cjs');
export const lspciPath = () => which('lspci');
const timePath = () => (existsSync('/usr/bin/time') ? '/usr/bin/time' : null);

/** The argv of each side for a tree. */
export const scanArgv = (root: string) => [process.execPath, cliPath(), 'scan', '--json', '--root', root];
export const lspciArgv = (root: string) => [lspciPath() ?? 'lspci', '-A', 'linux-sysfs', '-O', `sysfs.path=${path.join(root, 'sys/bus/pci')}`, '-nnk'];

/** Wall time of one whole process, stdout to /dev/null (as when piped and discarded). */
function timeOnce(argv: string[]): Promise<number> {
  const devNull = openSync('/dev/null', 'w');
  const started = process.hrtime.bigint();
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', devNull, 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(devNull);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`${argv.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`));
      else resolve(ms);
    });
  });
}

/** Both commands `runs` times each, alternating, after one warm-up run of each. */
export async function timeSideBySide(a: string[], b: string[], runs: number): Promise<[Stats, Stats]> {
  await timeOnce(a);
  await timeOnce(b);
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so neither always follows the other.
    if (i % 2 === 0) {
      ta.push(await timeOnce(a));
      tb.push(await timeOnce(b));
    } else {
      tb.push(await timeOnce(b));
      ta.push(await timeOnce(a));
    }
  }
  return [stats(ta), stats(tb)];
}

/** What each side lists: devices of the scan JSON, device lines of lspci (with the domain, -D). */
export function listedCounts(root: string): { scan: number; lspci: number | null; lspciAddresses: string[] } {
  const scan = spawnSync(scanArgv(root)[0] as string, scanArgv(root).slice(1), { encoding: 'utf8', maxBuffer: 1 << 30 });
  const devices = (JSON.parse(scan.stdout) as { devices: unknown[] }).devices.length;
  const lspci = lspciPath();
  if (lspci === null) return { scan: devices, lspci: null, lspciAddresses: [] };
  const out = spawnSync(lspci, ['-A', 'linux-sysfs', '-O', `sysfs.path=${path.join(root, 'sys/bus/pci')}`, '-D', '-nnk'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const addresses = out.stdout
    .split('\n')
    .filter((l) => /^[0-9a-f]{4,}:/.test(l))
    .map((l) => l.split(' ')[0] as string);
  return { scan: devices, lspci: addresses.length, lspciAddresses: addresses };
}

/** Peak RSS (KiB) of a whole process through /usr/bin/time, or null when it is not installed. */
export function peakRssKb(argv: string[]): number | null {
  const time = timePath();
  if (time === null) return null;
  const r = spawnSync(time, ['-f', 'PEAK_RSS_KB=%M', ...argv], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  const m = /PEAK_RSS_KB=(\d+)/.exec(r.stderr ?? '');
  return m ? Number(m[1]) : null;
}

export interface InProcessResult {
  times: number[];
  devices: number;
  /** process.resourceUsage().maxRSS of the child after its scans, KiB. */
  maxRssKb: number;
}

/** Runs {@link childScan} in a fresh node process (no heap left over from other trees). */
export function inProcessScan(root: string, runs: number, warmup: number): InProcessResult {
  const bench = path.join(repoRoot(), 'dist/bench/bench.cjs');
  const r = spawnSync(process.execPath, [bench, '--child-scan', root, `--runs=${runs}`, `--warmup=${warmup}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`in-process scan child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as InProcessResult;
}

/** The child's side: `warmup` scans, then `runs` timed ones, each with a fresh RootFs (no cache carried over). */
export async function childScan(root: string, runs: number, warmup: number): Promise<InProcessResult> {
  let devices = 0;
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const started = performance.now();
    const scan = await scanHost(new RootFs(root));
    const ms = performance.now() - started;
    devices = scan.devices.length;
    if (i >= warmup) times.push(ms);
  }
  return { times, devices, maxRssKb: process.resourceUsage().maxRSS };
}
