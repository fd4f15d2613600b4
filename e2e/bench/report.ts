/** The benchmark's results as markdown: the machine, the tables with targets met or missed, and BENCHMARKS.md's marked section. */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { GuiResult } from './measure-gui';
import type { ServeResult } from './measure-serve';
import type { Stats } from './measure-scan';

export const BEGIN = '<!-- bench:begin (written by `npm run bench -- --write`) -->';
export const END = '<!-- bench:end -->';

export interface ScanRow {
  functions: number;
  listed: { scan: number; lspci: number | null };
  passthru: Stats;
  lspci: Stats | null;
  inProcess: Stats;
}

export interface BundleFile {
  file: string;
  bytes: number;
  gzip: number;
}

export interface Results {
  command: string;
  started: Date;
  loadBefore: number[];
  loadAfter: number[];
  lspciVersion: string | null;
  rows: ScanRow[];
  rss: { functions: number; passthruKb: number | null; lspciKb: number | null; inProcessKb: number } | null;
  gui: GuiResult | { skipped: string };
  serve: ServeResult | { skipped: string };
  bundle: BundleFile[];
}

/** Every file the built renderer ships (dist/renderer), raw and gzip -9. */
export function bundleSizes(dir: string): BundleFile[] {
  const out: BundleFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!name.endsWith('.map')) {
        const content = readFileSync(p);
        out.push({ file: path.relative(dir, p), bytes: content.length, gzip: gzipSync(content, { level: 9 }).length });
      }
    }
  };
  walk(dir);
  return out.sort((a, b) => b.gzip - a.gzip);
}

const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const range = (s: Stats) => `${ms(s.median)} ms (${ms(s.min)}–${ms(s.max)})`;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;
const verdict = (ok: boolean, by: string) => (ok ? 'met' : `**missed** (${by})`);

function machine(r: Results): string[] {
  const cpus = os.cpus();
  const chromium = 'chromium' in r.gui ? r.gui.chromium : 'not run';
  return [
    `- Date: ${r.started.toISOString()}`,
    `- Command: \`${r.command}\``,
    `- CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores; RAM ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `- Kernel: ${os.release()}; Node ${process.version}; Chromium ${chromium}; ${r.lspciVersion ?? 'lspci not installed'}`,
    `- Load average (1/5/15 min) before: ${r.loadBefore.map((l) => l.toFixed(2)).join(' ')}; after: ${r.loadAfter.map((l) => l.toFixed(2)).join(' ')}`,
  ];
}

/** The whole report as markdown (what stdout shows and what --write puts in BENCHMARKS.md). */
export function formatReport(r: Results): string {
  const lines: string[] = ['### Machine', '', ...machine(r), ''];

  lines.push('### Host scan: passthru vs lspci on the same tree', '');
  lines.push('Whole processes, median (min–max) of alternating runs; in-process is `scanHost()` in a fresh node after a warm-up.', '');
  lines.push('| functions | listed (passthru / lspci) | `passthru scan --json` | `lspci -nnk` | ratio | in-process scan | µs per function (in-process) |');
  lines.push('|---:|---|---:|---:|---:|---:|---:|');
  for (const row of r.rows) {
    const ratio = row.lspci ? `${(row.passthru.median / row.lspci.median).toFixed(2)}×` : '–';
    lines.push(
      `| ${row.functions} | ${row.listed.scan} / ${row.listed.lspci ?? '–'} | ${range(row.passthru)} | ${row.lspci ? range(row.lspci) : 'not installed'} | ${ratio} | ${range(row.inProcess)} | ${((row.inProcess.median * 1000) / row.functions).toFixed(0)} |`,
    );
  }
  lines.push('');

  lines.push('### Growth of the in-process scan', '');
  lines.push('| from → to | functions added | time added | µs per added function |');
  lines.push('|---|---:|---:|---:|');
  for (let i = 1; i < r.rows.length; i++) {
    const [a, b] = [r.rows[i - 1]!, r.rows[i]!];
    const added = b.functions - a.functions;
    const dt = b.inProcess.median - a.inProcess.median;
    lines.push(`| ${a.functions} → ${b.functions} | ${added} | ${ms(dt)} ms | ${((dt * 1000) / added).toFixed(0)} |`);
  }
  lines.push('');

  lines.push('### Devices page in Chromium (passthru serve)', '');
  if ('skipped' in r.gui) lines.push(`Not measured: ${r.gui.skipped}`, '');
  else {
    const g = r.gui;
    lines.push(`${g.rowCount} rows; times from the action to the frame showing its result painted, median (min–max).`, '');
    lines.push('| measure | time | target |');
    lines.push('|---|---:|---|');
    lines.push(
      `| navigation → first contentful paint (${g.firstContentfulPaint.runs} loads) | ${range(g.firstContentfulPaint)} | < 1 s: ${verdict(g.firstContentfulPaint.median < 1000, `${ms(g.firstContentfulPaint.median - 1000)} ms over`)} |`,
    );
    lines.push(`| navigation → scan received over the WebSocket (includes the scan) | ${range(g.scanReceived)} | |`);
    lines.push(
      `| navigation → Devices table painted | ${range(g.tablePainted)} | < 1 s: ${verdict(g.tablePainted.median < 1000, `${ms(g.tablePainted.median - 1000)} ms over`)} |`,
    );
    lines.push(`| sort: click a column header (${g.sort.runs} clicks, 5 columns) | ${range(g.sort)} | < 50 ms: ${verdict(g.sort.max < 50, `slowest ${ms(g.sort.max)} ms`)} |`);
    lines.push(
      `| filter: a query in the search box, and clearing it (${g.filter.runs} edits) | ${range(g.filter)} | < 50 ms: ${verdict(g.filter.max < 50, `slowest ${ms(g.filter.max)} ms`)} |`,
    );
    lines.push(`| device rows in the DOM, at most | ${g.maxRenderedRows} of ${g.rowCount} | bounded: ${verdict(g.maxRenderedRows < 100, 'not virtualized')} |`);
    lines.push('');
  }

  lines.push('### passthru serve: start, and idle cost', '');
  if ('skipped' in r.serve) lines.push(`Not measured: ${r.serve.skipped}`, '');
  else {
    const s = r.serve;
    lines.push(
      `${s.rowCount} functions. Start: from spawning \`passthru serve\` to the Devices table painted in a fresh tab of a running Chromium (${s.startToPainted.runs} starts), median (min–max). ` +
        `Idle: CPU time of the server and its children over ${s.idleSeconds} s with the Devices page open and nothing changing, as % of one core; both watch the same tree.`,
      '',
    );
    lines.push('| measure | value | target |', '|---|---:|---|');
    lines.push(`| start → address printed (node, the bundle, listening) | ${range(s.startToListening)} | |`);
    lines.push(
      `| start → Devices table painted | ${range(s.startToPainted)} | < 1 s: ${verdict(s.startToPainted.median < 1000, `${ms(s.startToPainted.median - 1000)} ms over`)} |`,
    );
    lines.push(`| idle CPU, kernel events (\`udevadm monitor\`, \`ip monitor\`) | ${s.idleCpu.events.toFixed(2)} % | |`);
    lines.push(`| idle CPU, polling every ${s.idleCpu.pollIntervalMs / 1000} s (the fallback) | ${s.idleCpu.polling.toFixed(2)} % | |`);
    lines.push('');
  }

  const total = r.bundle.reduce((n, f) => ({ bytes: n.bytes + f.bytes, gzip: n.gzip + f.gzip }), { bytes: 0, gzip: 0 });
  lines.push('### Renderer bundle (dist/renderer, gzip -9)', '');
  lines.push('| file | size | gzip |', '|---|---:|---:|');
  for (const f of r.bundle) lines.push(`| ${f.file} | ${kib(f.bytes)} | ${kib(f.gzip)} |`);
  lines.push(`| **total** | ${kib(total.bytes)} | ${kib(total.gzip)} |`, '');

  if (r.rss) {
    lines.push(`### Memory: peak RSS at ${r.rss.functions} functions`, '');
    lines.push('| process | peak RSS |', '|---|---:|');
    lines.push(`| \`passthru scan --json\` (/usr/bin/time) | ${r.rss.passthruKb === null ? 'no /usr/bin/time' : mib(r.rss.passthruKb)} |`);
    lines.push(`| \`lspci -nnk\` (/usr/bin/time) | ${r.rss.lspciKb === null ? '–' : mib(r.rss.lspciKb)} |`);
    lines.push(`| node running one \`scanHost()\` (process.resourceUsage) | ${mib(r.rss.inProcessKb)} |`, '');
  }

  lines.push('### Targets', '');
  const at2048 = r.rows.find((row) => row.functions === 2048);
  if (at2048?.lspci) {
    const ratio = at2048.passthru.median / at2048.lspci.median;
    lines.push(`- Scan of 2,048 functions within 1.5× lspci -nnk: ${ratio.toFixed(2)}× — ${verdict(ratio <= 1.5, `${((ratio / 1.5 - 1) * 100).toFixed(0)}% over the bar`)}`);
  }
  if (at2048)
    lines.push(
      `- In-process scan of 2,048 functions under 100 ms: ${ms(at2048.inProcess.median)} ms — ${verdict(at2048.inProcess.median < 100, `${(at2048.inProcess.median / 100).toFixed(1)}× the target`)}`,
    );
  if (!('skipped' in r.gui)) {
    const g = r.gui;
    lines.push(
      `- Sort or filter of ${g.rowCount} rows under 50 ms: slowest sort ${ms(g.sort.max)} ms, slowest filter ${ms(g.filter.max)} ms — ${verdict(Math.max(g.sort.max, g.filter.max) < 50, 'see above')}`,
    );
    lines.push(
      `- First paint of the Devices page under 1 s: first contentful paint ${ms(g.firstContentfulPaint.median)} ms, table painted ${ms(g.tablePainted.median)} ms — ${verdict(g.tablePainted.median < 1000, 'table later than 1 s')}`,
    );
  }
  lines.push('- Electron start-up (process launch → first paint) is not measured: the Electron runtime cannot be installed on these machines.');
  return lines.join('\n');
}

export function lspciVersion(lspci: string | null): string | null {
  if (lspci === null) return null;
  return spawnSync(lspci, ['--version'], { encoding: 'utf8' }).stdout.trim() || null;
}

/** Replaces the section between the markers of BENCHMARKS.md (appends it when they are missing). */
export function writeBenchmarks(file: string, report: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmarks\n\n';
  }
  const section = `${BEGIN}\n\n${report}\n\n${END}`;
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  text = from !== -1 && to > from ? text.slice(0, from) + section + text.slice(to + END.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}
