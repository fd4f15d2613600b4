/**
 * The VMs the GUI shows and drives, over the same profile store and supervisor as
 * `passthru vm`. VMs always run on this machine, whatever host root the app is showing. While
 * it shows a snapshot, the VMs page is a rehearsal: a preview reads the snapshot's
 * devices, bridges and KVM, a profile saved then says it was made against the snapshot, and
 * nothing starts until the app is back on the live host. Stopping, pausing, deleting and
 * exporting this machine's VMs go on as usual. qemu runs as the desktop user; only a tap on a
 * bridge needs root (created through the supervisor's tap ops).
 */
import { readFileSync } from 'node:fs';
import { PassthruError } from '#shared/errors';
import type { VmMadeAgainst, VmProfile, VmStatus } from '#shared/vm';
import type { VmExport, VmPreview, VmStopResult, VmSummary } from '#shared/vm-api';
import { ProfileStore, resolveVmDirs, type VmDirs } from '../vm/profile-store';
import { runCommand } from '../exec/run-command';
import { createDiskImage } from '../vm/disk-image';
import { exportVm } from '../vm/vm-export';
import { ChangeService } from '../changes/change-service';
import { RootFs } from '../fs/root-fs';
import { scanSource } from '../scan';
import { plannedTaps } from '../vm/tap-plans';
import { VmSupervisor } from '../vm/vm-supervisor';

export interface VmServiceOptions {
  /** Profile and runtime directories (default: the XDG locations, see resolveVmDirs). */
  dirs?: Partial<VmDirs>;
  /** `-netdev user,restrict=on` for NAT NICs (tests: nothing leaves the machine). */
  restrictNat?: boolean;
  /** `auto` (default): KVM when /dev/kvm opens read-write, else TCG. Tests force TCG. */
  accel?: 'auto' | 'kvm' | 'tcg';
  /** Plans and applies the taps of bridge NICs on this machine (through the pkexec helper when not root). */
  changes?: ChangeService;
  /** The host root the GUI shows (HostService.currentRoot): `/` live, anything else a snapshot. */
  shownRoot?: () => string;
}

/** The last this many bytes of a log are shown: qemu logs grow with the VM's life. */
const LOG_TAIL_BYTES = 64 * 1024;

export class VmService {
  private readonly supervisor: VmSupervisor;
  private readonly store: ProfileStore;
  private readonly shownRoot: () => string;

  constructor(options: VmServiceOptions = {}) {
    this.store = new ProfileStore(resolveVmDirs(options.dirs));
    this.shownRoot = options.shownRoot ?? (() => '/');
    const changes = options.changes ?? new ChangeService({ root: '/' });
    this.supervisor = new VmSupervisor({ store: this.store, root: '/', restrictNat: options.restrictNat, accel: options.accel, taps: plannedTaps(changes, () => new RootFs('/')) });
  }

  async list(): Promise<VmSummary[]> {
    const entries = this.supervisor.list();
    return Promise.all(
      entries.map(async (e) => ({
        name: e.name,
        profile: e.profile,
        problem: e.problem,
        status: e.profile ? await this.supervisor.status(e.name).catch(() => null) : null,
      })),
    );
  }

  /** The snapshot shown, or null on the live host. */
  private shownSnapshot(): VmMadeAgainst | null {
    const root = this.shownRoot();
    if (root === '/') return null;
    const source = scanSource(new RootFs(root));
    return { hostname: source.hostname, capturedAt: source.capturedAt, root };
  }

  /** Why nothing starts from here: the app shows a snapshot of another host. */
  private static refusal(against: VmMadeAgainst): string {
    const host = against.hostname ?? 'another host';
    return `The app is showing a snapshot of ${host}. VMs run on this machine, not on ${host}: go back to the live host to start one.`;
  }

  async preview(profile: VmProfile, paused = false): Promise<VmPreview> {
    const against = this.shownSnapshot();
    const plan = await this.supervisor.planProfile(profile, { paused, against: against?.root });
    return {
      argv: plan.command.argv,
      shell: plan.shell,
      accel: plan.accel,
      notes: plan.command.notes,
      checks: plan.checks,
      against,
      startRefused: against ? VmService.refusal(against) : null,
    };
  }

  /** Saves a new profile; made while a snapshot is shown, it says so (main sets that, never the renderer). */
  async create(profile: VmProfile): Promise<VmProfile> {
    const { madeAgainst: _ignored, ...rest } = profile;
    const against = this.shownSnapshot();
    this.supervisor.create(against ? { ...rest, madeAgainst: against } : rest);
    return this.store.get(profile.name);
  }

  async createDisk(path: string, sizeGiB: number): Promise<null> {
    await createDiskImage(runCommand, path, sizeGiB);
    return null;
  }

  async delete(name: string): Promise<null> {
    this.supervisor.delete(name);
    return null;
  }

  async start(name: string, paused = false): Promise<VmStatus> {
    const against = this.shownSnapshot();
    if (against) throw new PassthruError('REFUSED', VmService.refusal(against), 'Click "Back to live host", then start it.');
    return (await this.supervisor.start(name, { paused })).status;
  }

  status(name: string): Promise<VmStatus> {
    return this.supervisor.status(name);
  }

  async pause(name: string): Promise<VmStatus> {
    await this.supervisor.pause(name);
    return this.supervisor.status(name);
  }

  async resume(name: string): Promise<VmStatus> {
    await this.supervisor.resume(name);
    return this.supervisor.status(name);
  }

  stop(name: string, options: { force?: boolean; timeoutSeconds?: number } = {}): Promise<VmStopResult> {
    return this.supervisor.stop(name, { force: options.force, timeoutMs: options.timeoutSeconds === undefined ? undefined : options.timeoutSeconds * 1000 });
  }

  async log(name: string): Promise<{ file: string; text: string }> {
    const file = this.supervisor.paths(name).logFile;
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, text: '' };
      throw new PassthruError('FAILED', `The log ${file} cannot be read: ${(err as Error).message}`, null);
    }
    const tail = bytes.length > LOG_TAIL_BYTES ? bytes.subarray(bytes.length - LOG_TAIL_BYTES) : bytes;
    return { file, text: tail.toString('utf8') };
  }

  export(name: string, format: VmExport['format']): Promise<VmExport> {
    return exportVm(this.supervisor, name, format);
  }
}
