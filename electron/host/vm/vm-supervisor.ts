/**
 * Starts, inspects and stops the qemu of a saved profile. qemu runs daemonized (see
 * qemu-argv.ts), so the supervisor keeps no state in memory: every call finds the VM again
 * from its runtime directory (pidfile checked against the process's command line, QMP
 * socket), which is also how a restarted app or a second CLI process rediscovers running VMs.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { makeDirs } from '../fs/make-dirs';
import { PassthruError } from '#shared/errors';
import { formatArgv } from '#shared/shell-quote';
import type { HostScan } from '#shared/model';
import { vmProfileSchema, type VmGuestDevice, type VmProfile, type VmStatus } from '#shared/vm';
import { CommandError, runCommand, type CommandRunner } from '../exec/run-command';
import { RootFs } from '../fs/root-fs';
import { scanHost } from '../scan';
import { buildQemuArgv, nicDeviceId, qemuShellLine, type FirmwareFiles, type QemuCommand, type VmRuntimePaths } from './qemu-argv';
import { qemuFailure } from './qemu-errors';
import { QmpClient, flattenPci } from './qmp-client';
import { ProfileStore } from './profile-store';
import type { TapManager } from './tap-ops';
import { assertVmChecks, runVmChecks, type VmCheck } from './vm-checks';
import { findOvmf, kvmUsable, prepareOvmf, readMemlock } from './vm-host';
import { cleanRuntime, findRunningQemu, passthroughHosts, processAlive, processArgv, processTimes } from './vm-runtime';

export interface SupervisorOptions {
  store: ProfileStore;
  /** Host root the pre-start checks read (`/` live; a test tree otherwise). */
  root?: string;
  run?: CommandRunner;
  qemuBinary?: string;
  /** `auto` = KVM when /dev/kvm opens read-write, else TCG. */
  accel?: 'auto' | 'kvm' | 'tcg';
  /** `-netdev user,restrict=on` (tests: no traffic leaves the machine). */
  restrictNat?: boolean;
  /** How taps are made: a journaled change (tap-plans.ts plannedTaps). */
  taps: TapManager;
}

export interface StartPlan {
  command: QemuCommand;
  shell: string;
  checks: VmCheck[];
  accel: 'kvm' | 'tcg';
}

export interface StopResult {
  /** How the VM ended: the guest shut down (powerdown), or it was forced. */
  how: 'powerdown' | 'quit' | 'sigterm' | 'sigkill' | 'not-running';
  notes: string[];
}

export interface VmListEntry {
  name: string;
  profile: VmProfile | null;
  problem: string | null;
  running: boolean;
  pid: number | null;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The accelerator a snapshot's host would give qemu, from what the snapshot recorded: /dev/kvm
 * there, and whether its capturing user could open it read-write.
 */
export function snapshotAccel(scan: HostScan): { accel: 'kvm' | 'tcg'; note: string } {
  const host = scan.source.hostname ?? "the snapshot's host";
  const { kvm, kvmAccessible } = scan.host;
  if (kvm && kvmAccessible === true)
    return { accel: 'kvm', note: `KVM as the snapshot recorded it: /dev/kvm on ${host} could be opened read-write by the user who took the snapshot.` };
  if (kvm && kvmAccessible === null) return { accel: 'kvm', note: `/dev/kvm existed on ${host}; the snapshot does not record whether its user could open it, so KVM is assumed.` };
  if (kvm)
    return {
      accel: 'tcg',
      note: `/dev/kvm existed on ${host}, but the user who took the snapshot could not open it read-write: qemu there would emulate the CPU (TCG), many times slower, unless run by a user who may (the kvm group).`,
    };
  return {
    accel: 'tcg',
    note: `${host} had no /dev/kvm when the snapshot was taken (KVM not loaded or not available): qemu there would emulate the CPU (TCG), many times slower.`,
  };
}

export class VmSupervisor {
  private readonly store: ProfileStore;
  private readonly root: string;
  private readonly run: CommandRunner;

  private readonly taps: TapManager;

  constructor(private readonly options: SupervisorOptions) {
    this.store = options.store;
    this.root = options.root ?? '/';
    this.run = options.run ?? runCommand;
    this.taps = options.taps;
  }

  profile(name: string): VmProfile {
    return this.store.get(name);
  }

  paths(name: string): VmRuntimePaths {
    return this.store.runtimePaths(name);
  }

  efiVarsFile(name: string): string {
    return this.store.efiVarsFile(name);
  }

  private fs(): RootFs {
    return new RootFs(this.root);
  }

  /** PCI addresses the other running VMs of ours pass through. */
  private heldByOthers(except: string): Map<string, string> {
    const held = new Map<string, string>();
    for (const name of this.runtimeNames()) {
      if (name === except) continue;
      const pid = findRunningQemu(this.store.runtimePaths(name));
      if (pid === null) continue;
      for (const a of passthroughHosts(processArgv(pid) ?? [])) held.set(a, name);
    }
    return held;
  }

  private runtimeNames(): string[] {
    const dir = this.store.dirs.runtimeDir;
    const names = new Set(this.store.list().map((s) => s.name));
    if (existsSync(dir)) for (const n of readdirSync(dir)) if (existsSync(`${dir}/${n}/qemu.pid`)) names.add(n);
    return [...names].filter((n) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(n)).sort();
  }

  private accel(): 'kvm' | 'tcg' {
    const a = this.options.accel ?? 'auto';
    return a === 'auto' ? (kvmUsable() ? 'kvm' : 'tcg') : a;
  }

  private async scanIfNeeded(profile: VmProfile): Promise<HostScan | null> {
    if (!profile.nics.some((n) => n.kind === 'passthrough')) return null;
    return scanHost(this.fs(), { run: this.run, processes: true });
  }

  /** The checks and the exact qemu command, without starting (or writing) anything. */
  async plan(name: string, opts: { paused?: boolean } = {}): Promise<StartPlan & { scan: HostScan | null; profile: VmProfile }> {
    return this.planProfile(this.store.get(name), opts);
  }

  /**
   * The same for a profile that may not be saved yet (the New-VM wizard's preview): its
   * runtime paths are where it will run once saved under its name.
   */
  async planProfile(input: VmProfile, opts: { paused?: boolean; against?: string } = {}): Promise<StartPlan & { scan: HostScan | null; profile: VmProfile }> {
    const profile = vmProfileSchema.parse(input);
    const name = profile.name;
    const paths = this.store.runtimePaths(name);
    if (opts.against !== undefined) return this.rehearse(profile, paths, opts.against, opts.paused);
    const scan = await this.scanIfNeeded(profile);
    const checks = runVmChecks({ profile, scan, fs: this.fs(), memlock: readMemlock(), heldByOtherVms: this.heldByOthers(name) });
    const accel = this.accel();
    const firmware = this.firmware(profile);
    const command = buildQemuArgv({
      profile,
      paths,
      accel,
      accelForced: this.options.accel === 'tcg',
      firmware,
      paused: opts.paused,
      restrictNat: this.options.restrictNat,
      binary: this.options.qemuBinary,
    });
    return { command, shell: qemuShellLine(command.argv), checks, accel, scan, profile };
  }

  /**
   * A preview against a snapshot (`root`, the tree the GUI shows): the checks read that host's
   * devices and bridges, KVM is what it recorded, and the first check says the VM runs on this
   * machine instead. The firmware files and the runtime paths stay this machine's: a saved
   * profile runs here. Nothing of this machine's processes is read.
   */
  private async rehearse(profile: VmProfile, paths: VmRuntimePaths, root: string, paused?: boolean): Promise<StartPlan & { scan: HostScan; profile: VmProfile }> {
    const fs = new RootFs(root);
    const scan = await scanHost(fs, { run: this.run, processes: false });
    const checks = runVmChecks({ profile, scan, fs, memlock: { bytes: null, capIpcLock: false }, heldByOtherVms: new Map(), snapshot: { hostname: scan.source.hostname } });
    const { accel, note } = snapshotAccel(scan);
    const firmware = this.firmware(profile);
    const command = buildQemuArgv({ profile, paths, accel, accelNote: note, firmware, paused, restrictNat: this.options.restrictNat, binary: this.options.qemuBinary });
    return { command, shell: qemuShellLine(command.argv), checks, accel, scan, profile };
  }

  /** OVMF's files on this machine for a UEFI profile (throws the explained error when missing), else null. */
  private firmware(profile: VmProfile): FirmwareFiles | null {
    if (profile.firmware !== 'ovmf') return null;
    const found = findOvmf();
    if (!found) prepareOvmf(this.store.efiVarsFile(profile.name), null); // throws the explained error
    return found ? { code: found.code, vars: this.store.efiVarsFile(profile.name) } : null;
  }

  async start(name: string, opts: { paused?: boolean } = {}): Promise<{ status: VmStatus; notes: string[]; checks: VmCheck[] }> {
    const paths = this.store.runtimePaths(name);
    if (findRunningQemu(paths) !== null) throw new PassthruError('REFUSED', `VM ${name} is already running.`, `See \`${formatArgv(['passthru', 'vm', 'status', name])}\`.`);
    const plan = await this.plan(name, opts);
    assertVmChecks(plan.checks);
    if (plan.profile.firmware === 'ovmf') prepareOvmf(this.store.efiVarsFile(name));
    makeDirs(paths.dir, 0o700);
    // qemu truncates its log (-D) when it opens it: the command line goes next to it.
    writeFileSync(`${paths.dir}/command.sh`, `# ${new Date().toISOString()} passthru vm start ${name}\n${plan.shell}\n`);
    rmSync(paths.logFile, { force: true });

    let created: string[] = [];
    try {
      created = await this.taps.create(name, plan.command.taps, process.getuid?.() ?? 0);
      writeFileSync(`${paths.dir}/taps.json`, `${JSON.stringify(created)}\n`);
      try {
        await this.run(plan.command.argv, { timeoutMs: 60_000 });
      } catch (err) {
        if (err instanceof CommandError && (err.failure === 'exit' || err.failure === 'signal')) {
          // With -daemonize and -D, qemu sends its own error messages to the log file (it
          // dup2s the log over stderr), so the reason is on stderr or in the log.
          if (err.stderr) appendFileSync(paths.logFile, err.stderr);
          const reason = err.stderr.trim() || readText(paths.logFile);
          const memlock = readMemlock();
          throw qemuFailure(`VM ${name} did not start`, reason, { scan: plan.scan, memoryMiB: plan.profile.memoryMiB, memlockBytes: memlock.capIpcLock ? null : memlock.bytes });
        }
        throw err;
      }
      await this.waitForQmp(paths.qmpSocket, 10_000);
    } catch (err) {
      const pid = findRunningQemu(paths);
      if (pid !== null) process.kill(pid, 'SIGKILL');
      await this.taps.remove(name, created).catch(() => undefined);
      rmSync(`${paths.dir}/taps.json`, { force: true });
      cleanRuntime(paths);
      throw err;
    }
    return { status: await this.status(name), notes: plan.command.notes, checks: plan.checks };
  }

  private async waitForQmp(socket: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        (await QmpClient.connect(socket, { timeoutMs: 2000 })).close();
        return;
      } catch (err) {
        if (Date.now() > deadline)
          throw new PassthruError(
            'FAILED',
            `qemu started but its QMP socket ${socket} did not answer within ${timeoutMs / 1000} s.`,
            "See the VM's log, then force it off (Force stop).",
            String(err),
          );
        await sleep(100);
      }
    }
  }

  private async withQmp<T>(name: string, fn: (qmp: QmpClient) => Promise<T>): Promise<T> {
    const paths = this.store.runtimePaths(name);
    if (findRunningQemu(paths) === null) throw new PassthruError('REFUSED', `VM ${name} is not running.`, `Start it with \`${formatArgv(['passthru', 'vm', 'start', name])}\`.`);
    const qmp = await QmpClient.connect(paths.qmpSocket);
    try {
      return await fn(qmp);
    } finally {
      qmp.close();
    }
  }

  async status(name: string): Promise<VmStatus> {
    const profile = this.store.get(name);
    const paths = this.store.runtimePaths(name);
    const pid = findRunningQemu(paths);
    const taps = this.readTaps(name);
    const base: VmStatus = {
      name,
      running: false,
      state: 'stopped',
      pid,
      uptimeSeconds: null,
      cpuSeconds: null,
      accel: null,
      devices: [],
      vnc: null,
      taps,
      logFile: paths.logFile,
      qmpSocket: paths.qmpSocket,
      notes: [],
    };
    if (pid === null) return base;
    const argv = processArgv(pid) ?? [];
    const machine = argv[argv.indexOf('-machine') + 1] ?? '';
    const accel = /accel=(kvm|tcg)/.exec(machine)?.[1] as 'kvm' | 'tcg' | undefined;
    const times = processTimes(pid);
    const status: VmStatus = { ...base, running: true, state: 'unknown', accel: accel ?? null, uptimeSeconds: times?.uptimeSeconds ?? null, cpuSeconds: times?.cpuSeconds ?? null };
    try {
      const qmp = await QmpClient.connect(paths.qmpSocket, { timeoutMs: 3000 });
      try {
        const s = await qmp.queryStatus();
        status.state = s.status;
        status.devices = await this.guestDevices(qmp, profile);
        if (profile.display === 'vnc') {
          const vnc = await qmp.execute<{ enabled: boolean; host?: string; service?: string }>('query-vnc').catch(() => null);
          if (vnc?.enabled && vnc.host && vnc.service) status.vnc = `${vnc.host}:${vnc.service}`;
        }
      } finally {
        qmp.close();
      }
    } catch (err) {
      status.notes.push(`QMP could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    return status;
  }

  private async guestDevices(qmp: QmpClient, profile: VmProfile): Promise<VmGuestDevice[]> {
    const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
    const devices: VmGuestDevice[] = [];
    for (const d of flattenPci(await qmp.queryPci())) {
      const qdevId = d.qdev_id || null;
      let mac: string | null = null;
      const nicIndex = profile.nics.findIndex((_n, i) => nicDeviceId(i) === qdevId);
      if (nicIndex !== -1 && profile.nics[nicIndex]?.kind !== 'passthrough') {
        mac = await qmp.execute<string>('qom-get', { path: `/machine/peripheral/${qdevId}`, property: 'mac' }).catch(() => null);
      }
      devices.push({ bus: d.bus, slot: d.slot, function: d.function, vendorId: hex4(d.id.vendor), deviceId: hex4(d.id.device), className: d.class_info.desc ?? null, qdevId, mac });
    }
    return devices;
  }

  async pause(name: string): Promise<void> {
    await this.withQmp(name, (q) => q.stop());
  }

  /** Runs the CPUs: from `paused` or from `prelaunch` (a `--paused` start). */
  async resume(name: string): Promise<void> {
    await this.withQmp(name, (q) => q.cont());
  }

  /**
   * Graceful: ACPI power button, then wait up to `timeoutMs` for the guest OS to power off;
   * a guest that does not (no OS yet, paused, hung) is then forced. Forced: QMP quit, then
   * SIGTERM, then SIGKILL. Either way the taps we made are removed.
   */
  async stop(name: string, opts: { force?: boolean; timeoutMs?: number } = {}): Promise<StopResult> {
    const paths = this.store.runtimePaths(name);
    const pid = findRunningQemu(paths);
    const notes: string[] = [];
    let how: StopResult['how'] = 'not-running';
    if (pid !== null) {
      if (!opts.force) {
        const timeoutMs = opts.timeoutMs ?? 60_000;
        try {
          await this.withQmp(name, (q) => q.systemPowerdown());
          if (await this.waitExit(pid, timeoutMs)) how = 'powerdown';
          else notes.push(`The guest did not power off within ${timeoutMs / 1000} s (no OS answering ACPI, or paused), so it was forced off.`);
        } catch (err) {
          notes.push(`The power button could not be pressed (${err instanceof Error ? err.message : String(err)}), so the VM was forced off.`);
        }
      }
      if (how === 'not-running') how = await this.force(name, pid);
    }
    const taps = this.readTaps(name);
    await this.taps.remove(name, taps).catch((err: unknown) => notes.push(`The taps ${taps.join(', ')} could not be removed: ${err instanceof Error ? err.message : String(err)}`));
    rmSync(`${paths.dir}/taps.json`, { force: true });
    cleanRuntime(paths);
    return { how, notes };
  }

  private async force(name: string, pid: number): Promise<StopResult['how']> {
    try {
      await this.withQmp(name, (q) => q.quit());
    } catch {
      // The connection may close before the reply: checked below by the process itself.
    }
    if (await this.waitExit(pid, 3000)) return 'quit';
    process.kill(pid, 'SIGTERM');
    if (await this.waitExit(pid, 3000)) return 'sigterm';
    process.kill(pid, 'SIGKILL');
    await this.waitExit(pid, 3000);
    return 'sigkill';
  }

  private async waitExit(pid: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!processAlive(pid)) return true;
      await sleep(100);
    }
    return !processAlive(pid);
  }

  private readTaps(name: string): string[] {
    try {
      const list = JSON.parse(readFileSync(`${this.store.runtimePaths(name).dir}/taps.json`, 'utf8')) as unknown;
      return Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : [];
    } catch {
      return [];
    }
  }

  /** Saved profiles and running VMs (a VM whose profile was deleted while running included). */
  list(): VmListEntry[] {
    const stored = new Map(this.store.list().map((s) => [s.name, s]));
    return this.runtimeNames()
      .map((name) => {
        const s = stored.get(name);
        const pid = findRunningQemu(this.store.runtimePaths(name));
        return {
          name,
          profile: s?.ok ? s.profile : null,
          problem: !s ? 'running, but its profile was deleted' : s.ok ? null : s.problem,
          running: pid !== null,
          pid,
        };
      })
      .filter((e) => stored.has(e.name) || e.running);
  }

  /** Deletes a profile (and its UEFI variables); refused while the VM runs. */
  delete(name: string): void {
    if (!this.store.exists(name)) throw new PassthruError('BAD_INPUT', `There is no VM named ${name}.`, 'See `passthru vm list`.');
    if (findRunningQemu(this.store.runtimePaths(name)) !== null)
      throw new PassthruError('REFUSED', `VM ${name} is running.`, `Stop it first (\`${formatArgv(['passthru', 'vm', 'stop', name])}\`).`);
    this.store.delete(name);
  }

  /** Validates and saves a new profile; refuses to overwrite. */
  create(profile: VmProfile): string {
    const parsed = vmProfileSchema.parse(profile);
    if (this.store.exists(parsed.name))
      throw new PassthruError(
        'REFUSED',
        `A VM named ${parsed.name} already exists.`,
        `Choose another name, or \`${formatArgv(['passthru', 'vm', 'delete', parsed.name])}\` first.`,
      );
    return this.store.save(parsed);
  }
}
