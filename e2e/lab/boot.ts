/**
 * Boots a lab scenario under qemu and returns a handle that runs many commands in that one
 * boot (tests boot each scenario once and run every check in it). The guest runs this
 * machine's own / (read-only, with a tmpfs overlay), so commands see this checkout, node,
 * lspci and the built CLI at the same paths as on the host.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync, createWriteStream, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { ControlChannel, type AgentMessage } from './control-channel';
import { cacheDir, ensureInitramfs, repoRoot } from './initramfs';
import { findLabHostTools } from './prerequisites';
import { buildQemuArgs, type PortForward } from './qemu-args';
import { findScenario, type Scenario } from './scenarios';
import { CommandRunner, type RunOptions, type RunResult } from './command-runner';
import { setupSteps } from './guest-setup';
import { LabError } from './lab-error';

export type { RunOptions, RunResult } from './command-runner';

export { LabError };

export interface BootOptions {
  /** Whole boot, including scenario setup. Default 180 s (TCG, 2 cores). */
  bootTimeoutMs?: number;
  cpus?: number;
  memoryMb?: number;
  /** Forward 127.0.0.1:hostPort on the host to guestPort on the management NIC; hostPort 0 picks a free one. */
  forwards?: PortForward[];
  /** Every console line as it arrives (e.g. to stderr with --verbose). */
  onConsole?: (line: string) => void;
  /** Console on this terminal with a login shell (qemu's stdio inherited). */
  interactive?: boolean;
  /** Skip the scenario's setup steps (addresses, VFs). */
  skipSetup?: boolean;
  /** Keep the run directory (qemu argv, share) after shutdown. */
  keep?: boolean;
  extraKernelArgs?: string[];
}

export interface LabHandle {
  readonly scenario: Scenario;
  /** Host directory visible in the guest as `guestShareDir`: copy files in and out here. */
  readonly shareDir: string;
  readonly guestShareDir: string;
  /** The host's run directory: qemu-argv.json, sockets, the share. */
  readonly runDir: string;
  readonly forwards: PortForward[];
  readonly kernel: string;
  /** Milliseconds from starting qemu to the agent's hello, and to the end of setup. */
  readonly timings: { agentReadyMs: number; readyMs: number; guestUptimeAtHello: number };
  readonly qmpSocket: string;
  /** Resolves when qemu has exited (guest powered off, killed, or shut down). */
  readonly exited: Promise<void>;
  run(argv: string[], options?: RunOptions): Promise<RunResult>;
  /** Like run, but rejects when the exit status is not 0 (message includes stderr). */
  runOk(argv: string[], options?: RunOptions): Promise<RunResult>;
  /**
   * Copies a guest directory to a host directory (created; must not exist yet). Packs it with
   * tar into the share as one file: creating many small files over 9p costs ~40 ms each
   * under TCG, one tar stream costs almost nothing.
   */
  copyOut(guestDir: string, hostDir: string): Promise<void>;
  consoleText(): string;
  shutdown(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: a qemu must never outlive us (setpriv's parent-death signal covers SIGKILL).
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

/** Run directories of lab processes that were killed (SIGKILL skips every cleanup). */
function removeStaleRunDirs(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const m = /^passthru-lab-(\d+)-/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Boots a scenario. A guest that never comes up within the boot timeout is tried once more:
 * under TCG on a loaded 2-core host a vCPU can be starved before userspace starts (the console
 * then shows RCU stalls), which says nothing about Passthru. The retry is announced on stderr,
 * and a second failure fails the run.
 */
export async function bootLab(scenarioOrName: Scenario | string, options: BootOptions = {}): Promise<LabHandle> {
  try {
    return await bootOnce(scenarioOrName, options);
  } catch (err) {
    if (!(err instanceof LabError) || err.kind !== 'boot-timeout' || options.interactive) throw err;
    const name = typeof scenarioOrName === 'string' ? scenarioOrName : scenarioOrName.name;
    process.stderr.write(`lab: WARNING: the ${name} guest did not come up (${err.message}); booting it once more.\n`);
    return bootOnce(scenarioOrName, options);
  }
}

async function bootOnce(scenarioOrName: Scenario | string, options: BootOptions): Promise<LabHandle> {
  const scenario = typeof scenarioOrName === 'string' ? findScenario(scenarioOrName) : scenarioOrName;
  const tools = findLabHostTools();
  const initramfs = ensureInitramfs(tools);
  const repo = repoRoot();
  removeStaleRunDirs();
  const runDir = mkdtempSync(path.join(os.tmpdir(), `passthru-lab-${process.pid}-${scenario.name}-`));
  const ioDir = path.join(runDir, 'io');
  const shareDir = path.join(ioDir, 'share');
  mkdirSync(path.join(ioDir, 'run'), { recursive: true });
  mkdirSync(shareDir, { recursive: true });
  const controlSocket = path.join(runDir, 'control.sock');
  const qmpSocket = path.join(runDir, 'qmp.sock');
  const forwards: PortForward[] = [];
  for (const f of options.forwards ?? []) forwards.push({ guestPort: f.guestPort, hostPort: f.hostPort || (await freePort()) });

  const qemuArgs = buildQemuArgs({
    scenario,
    kernelImage: tools.kernelImage,
    initramfs,
    ioDir,
    controlSocket,
    qmpSocket,
    cpus: options.cpus ?? Number(process.env.LAB_CPUS ?? 2),
    memoryMb: options.memoryMb,
    forwards,
    interactive: options.interactive,
    extraKernelArgs: options.extraKernelArgs,
  });
  // Read by guest/init.sh and guest/stage2.sh (key=value lines, no shell evaluation).
  const bootConf = {
    stage2: path.join(repo, 'e2e', 'lab', 'guest', 'stage2.sh'),
    agent: path.join(repo, 'e2e', 'lab', 'guest', 'agent.cjs'),
    hostname: `lab-${scenario.name}`,
    shell: options.interactive ? '1' : '',
    repo,
  };
  writeFileSync(
    path.join(ioDir, 'boot.conf'),
    Object.entries(bootConf)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  writeFileSync(path.join(runDir, 'qemu-argv.json'), JSON.stringify([tools.qemu, ...qemuArgs], null, 1));

  const control = await ControlChannel.listen(controlSocket);
  const argv = tools.setpriv ? [tools.setpriv, '--pdeathsig', 'KILL', '--', tools.qemu, ...qemuArgs] : [tools.qemu, ...qemuArgs];
  const started = Date.now();
  const qemu = spawn(argv[0]!, argv.slice(1), {
    stdio: options.interactive ? ['inherit', 'inherit', 'pipe'] : ['pipe', 'pipe', 'pipe'],
  });
  installExitHook();
  live.add(qemu);

  // --- console and failure detection -------------------------------------------------
  // The last boot of each scenario leaves its whole console here, for post-mortems.
  const consoleLogPath = path.join(cacheDir(), 'logs', `${scenario.name}.console.log`);
  mkdirSync(path.dirname(consoleLogPath), { recursive: true });
  const consoleLog = createWriteStream(consoleLogPath);
  const tail: string[] = [];
  let partial = '';
  let stderr = '';
  let fatal: LabError | null = null;
  let qemuExited = false;
  let panicked = false;
  let shuttingDown = false;
  const failWaiters = new Set<(e: LabError) => void>();
  const consoleTail = (): string => `${tail.slice(-40).join('\n')}\n(whole console: ${consoleLogPath})`;
  const fail = (e: LabError): void => {
    if (fatal) return;
    fatal = e;
    for (const w of failWaiters) w(e);
    // Let the panic trace reach the console, then stop the machine.
    setTimeout(() => qemu.kill('SIGKILL'), 1000).unref();
  };
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > 400) tail.splice(0, tail.length - 400);
    options.onConsole?.(line);
    if (/Kernel panic - not syncing/.test(line)) {
      panicked = true;
      setTimeout(() => fail(new LabError(`the ${scenario.name} guest's kernel panicked`, 'panic', consoleTail())), 300).unref();
    } else if (/LAB-(STAGE1-FAIL|STAGE2-FAIL|AGENT-EXIT)/.test(line)) {
      fail(new LabError(`the ${scenario.name} guest failed to start: ${line.trim()}`, 'guest-failed', consoleTail()));
    }
  };
  qemu.stdout?.on('data', (d: Buffer) => {
    consoleLog.write(d);
    partial += d.toString('utf8');
    const lines = partial.split(/\r?\n/);
    partial = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  });
  qemu.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
    consoleLog.write(d);
  });
  const qemuDone = new Promise<void>((resolve) => {
    qemu.on('exit', (code, signal) => {
      qemuExited = true;
      live.delete(qemu);
      consoleLog.end();
      control.close();
      // -no-reboot turns the reboot after a panic (panic=-1) or a triple fault into exit 0.
      if (panicked) fail(new LabError(`the ${scenario.name} guest's kernel panicked`, 'panic', consoleTail()));
      const how = shuttingDown ? 'was shut down' : signal ? `was killed (${signal})` : code === 0 ? 'exited: the guest powered off or reset' : `exited with status ${code}`;
      fail(new LabError(`qemu ${how}${stderr.trim() ? `: ${stderr.trim()}` : ''}`, 'qemu-exit', consoleTail()));
      resolve();
    });
    qemu.on('error', (e) => {
      qemuExited = true;
      live.delete(qemu);
      fail(new LabError(`cannot start qemu: ${e.message}`, 'qemu-exit'));
      resolve();
    });
  });

  const runner = new CommandRunner(
    control,
    path.join(ioDir, 'run'),
    repo,
    (w) => {
      failWaiters.add(w);
      return () => failWaiters.delete(w);
    },
    () => fatal,
  );

  const shutdown = async (): Promise<void> => {
    shuttingDown = true;
    if (!qemuExited) {
      qemu.kill('SIGTERM');
      const t = setTimeout(() => qemu.kill('SIGKILL'), 3000);
      await qemuDone;
      clearTimeout(t);
    }
    control.close();
    if (!options.keep) rmSync(runDir, { recursive: true, force: true });
  };

  // --- wait for the agent, then prepare the scenario ------------------------------------
  const bootTimeoutMs = options.bootTimeoutMs ?? Number(process.env.LAB_BOOT_TIMEOUT_MS ?? 180_000);
  try {
    const hello = await new Promise<Extract<AgentMessage, { t: 'hello' }>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new LabError(`the ${scenario.name} guest did not become ready within ${bootTimeoutMs / 1000} s`, 'boot-timeout', consoleTail())),
        bootTimeoutMs,
      );
      const onFail = (e: LabError): void => reject(e);
      failWaiters.add(onFail);
      if (fatal) reject(fatal);
      control.on('message', function onMsg(m) {
        if (m.t !== 'hello') return;
        control.off('message', onMsg);
        clearTimeout(timer);
        failWaiters.delete(onFail);
        resolve(m);
      });
    });
    const agentReadyMs = Date.now() - started;
    const handle: LabHandle = {
      scenario,
      shareDir,
      guestShareDir: '/lab/io/share',
      runDir,
      forwards,
      kernel: hello.kernel,
      timings: { agentReadyMs, readyMs: agentReadyMs, guestUptimeAtHello: hello.uptime },
      qmpSocket,
      exited: qemuDone,
      run: (a, o) => runner.run(a, o),
      runOk: async (a, o) => {
        const r = await runner.run(a, o);
        if (r.code !== 0) throw new Error(`in the ${scenario.name} guest, ${JSON.stringify(a)} exited with ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
        return r;
      },
      copyOut: async (guestDir, hostDir) => {
        const name = `copy-out-${process.pid}-${Date.now()}.tar`;
        await handle.runOk(['tar', '-C', guestDir, '-cf', path.posix.join('/lab/io/share', name), '.']);
        const tarFile = path.join(shareDir, name);
        try {
          mkdirSync(hostDir, { recursive: false });
          execFileSync('tar', ['-C', hostDir, '-xf', tarFile], { stdio: ['ignore', 'ignore', 'pipe'] });
        } finally {
          rmSync(tarFile, { force: true });
        }
      },
      consoleText: () => tail.join('\n'),
      shutdown,
    };
    if (!options.skipSetup) {
      for (const step of setupSteps(scenario, repo)) {
        const r = await runner.run(step, { timeoutMs: bootTimeoutMs });
        if (r.code !== 0) {
          throw new LabError(
            `setting up the ${scenario.name} guest failed: ${JSON.stringify(step)} exited with ${r.code}: ${(r.stderr || r.stdout).trim()}`,
            'setup-failed',
            consoleTail(),
          );
        }
      }
    }
    handle.timings.readyMs = Date.now() - started;
    return handle;
  } catch (e) {
    await shutdown();
    if (existsSync(runDir) && !options.keep) rmSync(runDir, { recursive: true, force: true });
    throw e;
  }
}
