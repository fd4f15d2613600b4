/**
 * `npm run lab -- --scenario NAME [options] -- COMMAND...` boots a lab host, runs COMMAND in
 * it as root (cwd = this checkout), streams its output and exits with its status.
 * `npm run lab -- --scenario NAME --shell` gives an interactive console instead;
 * `npm run lab -- fixtures [NAME...]` regenerates e2e/fixtures/<scenario>/ from snapshots.
 * Exit status when the lab itself fails: 125 (boot, guest or usage problem), 124 (command
 * timeout), 130/143 (interrupted).
 */
import { bootLab, LabError, type LabHandle } from './boot';
import { LabPrerequisiteError, findLabHostTools } from './prerequisites';
import { SCENARIOS, findScenario } from './scenarios';
import { buildQemuArgs } from './qemu-args';
import { makeFixtures } from './fixtures';

const USAGE = `usage: npm run lab -- --scenario NAME [options] -- COMMAND [ARG...]
       npm run lab -- --scenario NAME --shell
       npm run lab -- --list
       npm run lab -- fixtures [NAME...]
options:
  --timeout SECONDS   command timeout (default 600)
  --verbose           print the guest console to stderr
  --keep              keep the run directory (qemu argv, share) and print its path
                      (each scenario's last console is in .cache/lab/logs/)
  --forward H:G       forward 127.0.0.1:H on this machine to port G in the guest (H=0: any free port)
  --cpus N            guest CPUs (default 2, or $LAB_CPUS)
  --memory MB         guest memory (default per scenario)
  --no-setup          skip the scenario's setup (addresses, VFs)
  --print-qemu        print the qemu argv as JSON and exit`;

interface Cli {
  scenario?: string;
  command: string[];
  shell: boolean;
  list: boolean;
  fixtures: string[] | null;
  timeoutMs: number;
  verbose: boolean;
  keep: boolean;
  forwards: { hostPort: number; guestPort: number }[];
  cpus?: number;
  memoryMb?: number;
  noSetup: boolean;
  printQemu: boolean;
}

class UsageError extends Error {}

function parse(args: string[]): Cli {
  const cli: Cli = { command: [], shell: false, list: false, fixtures: null, timeoutMs: 600_000, verbose: false, keep: false, forwards: [], noSetup: false, printQemu: false };
  if (args[0] === 'fixtures') {
    cli.fixtures = args.slice(1);
    return cli;
  }
  const value = (i: number, name: string): string => {
    const v = args[i + 1];
    if (v === undefined) throw new UsageError(`${name} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    switch (a) {
      case '--':
        cli.command = args.slice(i + 1);
        i = args.length;
        break;
      case '--scenario':
        cli.scenario = value(i++, a);
        break;
      case '--shell':
        cli.shell = true;
        break;
      case '--list':
        cli.list = true;
        break;
      case '--verbose':
        cli.verbose = true;
        break;
      case '--keep':
        cli.keep = true;
        break;
      case '--no-setup':
        cli.noSetup = true;
        break;
      case '--print-qemu':
        cli.printQemu = true;
        break;
      case '--timeout':
        cli.timeoutMs = Number(value(i++, a)) * 1000;
        break;
      case '--cpus':
        cli.cpus = Number(value(i++, a));
        break;
      case '--memory':
        cli.memoryMb = Number(value(i++, a));
        break;
      case '--forward': {
        const m = /^(\d+):(\d+)$/.exec(value(i++, a));
        if (!m) throw new UsageError('--forward takes HOSTPORT:GUESTPORT');
        cli.forwards.push({ hostPort: Number(m[1]), guestPort: Number(m[2]) });
        break;
      }
      case '-h':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        // Be forgiving when the command follows without `--`.
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        cli.command = args.slice(i);
        i = args.length;
    }
  }
  if (!Number.isFinite(cli.timeoutMs) || cli.timeoutMs <= 0) throw new UsageError('--timeout takes a number of seconds');
  return cli;
}

async function main(): Promise<number> {
  const cli = parse(process.argv.slice(2));
  if (cli.list) {
    for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(14)} ${s.description}\n`);
    return 0;
  }
  if (cli.fixtures) return makeFixtures(cli.fixtures);
  if (!cli.scenario) throw new UsageError('--scenario NAME is required');
  if (!SCENARIOS.some((s) => s.name === cli.scenario)) throw new UsageError(`unknown scenario "${cli.scenario}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const scenario = findScenario(cli.scenario);
  if (cli.printQemu) {
    const tools = findLabHostTools();
    const argv = buildQemuArgs({
      scenario,
      kernelImage: tools.kernelImage,
      initramfs: '<initramfs>',
      ioDir: '<io>',
      controlSocket: '<control.sock>',
      qmpSocket: '<qmp.sock>',
      cpus: cli.cpus ?? 2,
      memoryMb: cli.memoryMb,
      forwards: cli.forwards,
    });
    process.stdout.write(`${JSON.stringify([tools.qemu, ...argv], null, 1)}\n`);
    return 0;
  }
  if (!cli.shell && cli.command.length === 0) throw new UsageError('nothing to run: give a command after --, or --shell');

  let lab: LabHandle | null = null;
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\nlab: ${sig}, stopping the guest\n`);
    void (lab?.shutdown() ?? Promise.resolve()).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  const t0 = Date.now();
  if (cli.shell) process.stderr.write(`lab: booting ${scenario.name}; the console becomes a root shell (Ctrl-A X quits qemu)\n`);
  lab = await bootLab(scenario, {
    interactive: cli.shell,
    cpus: cli.cpus,
    memoryMb: cli.memoryMb,
    forwards: cli.forwards,
    skipSetup: cli.noSetup,
    keep: cli.keep,
    onConsole: cli.verbose ? (l) => process.stderr.write(`[guest] ${l}\n`) : undefined,
  });
  const fwd = lab.forwards.map((f) => ` 127.0.0.1:${f.hostPort}→${f.guestPort}`).join('');
  process.stderr.write(`lab: ${scenario.name} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (kernel ${lab.kernel})${fwd}${cli.keep ? `, run dir ${lab.runDir}` : ''}\n`);
  try {
    if (cli.shell) {
      await lab.exited; // until the guest powers off, qemu is quit (Ctrl-A X) or a signal
      return 0;
    }
    const r = await lab.run(cli.command, {
      timeoutMs: cli.timeoutMs,
      env: process.env.TERM ? { TERM: process.env.TERM } : undefined,
      onStdout: (c) => process.stdout.write(c),
      onStderr: (c) => process.stderr.write(c),
    });
    return r.code;
  } finally {
    await lab.shutdown();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`lab: ${e.message}\n${USAGE}\n`);
      process.exit(125);
    }
    if (e instanceof LabPrerequisiteError) process.stderr.write(`lab: ${e.message}\n`);
    else if (e instanceof LabError) process.stderr.write(`lab: ${e.message}\n`);
    else process.stderr.write(`lab: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(e instanceof LabError && e.kind === 'command-timeout' ? 124 : 125);
  },
);
