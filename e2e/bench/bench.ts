/**
 * `npm run bench`: scan speed against lspci on synthetic hosts of 64 to 8,192 functions, the
 * Devices page at 2,048 rows in Chromium, the renderer bundle and peak memory — printed as
 * markdown; `--write` also puts it into BENCHMARKS.md. Timings are measured here, never
 * asserted in tests.
 *
 *   node dist/bench/bench.cjs [--sizes=64,512,2048,8192] [--runs=7] [--seed=1] [--no-gui] [--write]
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../support/repo';
import { childScan, inProcessScan, listedCounts, lspciArgv, lspciPath, peakRssKb, scanArgv, stats, timeSideBySide } from './measure-scan';
import { bundleSizes, formatReport, lspciVersion, writeBenchmarks, type Results, type ScanRow } from './report';
import { benchTree } from './trees';

const GUI_ROWS = 2048;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '64,512,2048,8192' },
      runs: { type: 'string', default: '7' },
      seed: { type: 'string', default: '1' },
      'no-gui': { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      'child-scan': { type: 'string' },
      warmup: { type: 'string', default: '2' },
    },
    strict: true,
  });
  if (values['child-scan']) {
    const result = await childScan(values['child-scan'], Number(values.runs), Number(values.warmup));
    process.stdout.write(JSON.stringify(result));
    return;
  }

  const sizes = values.sizes.split(',').map(Number);
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
  const lspci = lspciPath();
  if (lspci === null) throw new Error('lspci not found: install pciutils (sudo bash .ci/install-system-packages)');
  const results: Results = {
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    started: new Date(),
    loadBefore: os.loadavg(),
    loadAfter: [],
    lspciVersion: lspciVersion(lspci),
    rows: [],
    rss: null,
    gui: { skipped: '--no-gui' },
    serve: { skipped: '--no-gui' },
    bundle: [],
  };

  const trees = new Map<number, string>();
  for (const n of [...new Set([...sizes, ...(values['no-gui'] ? [] : [GUI_ROWS])])]) {
    const tree = benchTree(n, seed);
    log(`${n} functions: ${tree.root} (${tree.generatedMs === null ? 'cached' : `generated in ${(tree.generatedMs / 1000).toFixed(1)} s`})`);
    trees.set(n, tree.root);
  }

  for (const n of sizes) {
    const root = trees.get(n)!;
    const listed = listedCounts(root);
    if (listed.scan !== n || (listed.lspci !== null && listed.lspci !== n)) {
      throw new Error(`${n}-function tree: passthru lists ${listed.scan}, lspci ${listed.lspci}`);
    }
    // Fewer whole-process runs on the biggest tree keep the bench within minutes.
    const r = n >= 8192 ? Math.max(3, Math.ceil(runs / 2)) : runs;
    const [passthru, lspciStats] = await timeSideBySide(scanArgv(root), lspciArgv(root), r);
    const inProcess = inProcessScan(root, r + 3, 2);
    const row: ScanRow = { functions: n, listed, passthru, lspci: lspciStats, inProcess: stats(inProcess.times) };
    results.rows.push(row);
    log(`${n}: passthru ${passthru.median.toFixed(0)} ms, lspci ${lspciStats?.median.toFixed(0) ?? '-'} ms, in-process ${row.inProcess.median.toFixed(0)} ms`);
  }

  const biggest = Math.max(...sizes);
  const bigRoot = trees.get(biggest)!;
  results.rss = {
    functions: biggest,
    passthruKb: peakRssKb(scanArgv(bigRoot)),
    lspciKb: peakRssKb(lspciArgv(bigRoot)),
    inProcessKb: inProcessScan(bigRoot, 1, 0).maxRssKb,
  };

  if (!values['no-gui']) {
    const chromium = process.env.PASSTHRU_CHROMIUM ?? '/usr/bin/chromium';
    if (!existsSync(chromium)) results.gui = results.serve = { skipped: `no Chromium at ${chromium}` };
    else {
      log(`GUI: ${GUI_ROWS} rows in ${chromium}`);
      // Loaded only here: the in-process scan children run this same bundle and must not carry Playwright.
      const { measureGui } = await import('./measure-gui');
      results.gui = await measureGui(trees.get(GUI_ROWS)!, GUI_ROWS, 5);
      const { measureServe } = await import('./measure-serve');
      results.serve = await measureServe(trees.get(GUI_ROWS)!, GUI_ROWS, 5, 60, log);
    }
  }
  results.bundle = bundleSizes(path.join(repoRoot(), 'dist/renderer'));
  results.loadAfter = os.loadavg();

  const report = formatReport(results);
  process.stdout.write(`${report}\n`);
  if (values.write) {
    writeBenchmarks(path.join(repoRoot(), 'BENCHMARKS.md'), report);
    log('BENCHMARKS.md updated');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
