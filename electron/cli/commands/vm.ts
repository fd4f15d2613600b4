/**
 * `passthru vm create|start|status|stop|pause|resume|list|delete|export` (issue 7): saved VM
 * profiles run by qemu with a passthrough NIC, a virtio NIC on a bridge, or NAT. The work is
 * in electron/host/vm/ (profile store, checks, argv builder, QMP, supervisor, exports); this
 * file only parses, dispatches and prints.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { PassthruError } from '../../../shared/errors';
import { checkVmName, ProfileStore, resolveVmDirs } from '../../host/vm/profile-store';
import { VmSupervisor } from '../../host/vm/vm-supervisor';
import { ChangeService } from '../../host/changes/change-service';
import { plannedTaps } from '../../host/vm/tap-plans';
import { exportVm } from '../../host/vm/vm-export';
import { findOvmf } from '../../host/vm/vm-host';
import { RootFs } from '../../host/fs/root-fs';
import { scanHost } from '../../host/scan';
import { COMMON_OPTIONS, resolveRoot, type CliCommand, type CliIo, type ParsedArgs } from '../core';
import { profileFromArgs } from './vm-profile-args';
import { formatChecks, formatList, formatStatus } from './vm-format';

function bad(message: string): PassthruError {
  return new PassthruError('BAD_INPUT', message, 'See `passthru vm --help`.');
}

const ACTIONS = ['create', 'start', 'status', 'stop', 'pause', 'resume', 'list', 'delete', 'export'] as const;
type Action = (typeof ACTIONS)[number];

/** Which options each action accepts (besides --json, --help, --config-dir, --runtime-dir). */
const ACTION_OPTIONS: Record<Action, string[]> = {
  create: ['cpus', 'memory', 'disk', 'iso', 'nic', 'display', 'firmware', 'root'],
  start: ['paused', 'dry-run', 'accel', 'root', 'state-dir'],
  status: [],
  stop: ['force', 'timeout', 'state-dir'],
  pause: [],
  resume: [],
  list: [],
  delete: [],
  export: ['format', 'accel'],
};

/** --config-dir/--runtime-dir: made on first use (like the XDG defaults), so they need not exist yet. */
function vmDir(value: string | boolean | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw bad(`--${what} needs a directory path.`);
  const dir = resolvePath(value);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw bad(`--${what} ${dir} is not a directory.`);
  return dir;
}

function supervisor(v: ParsedArgs['values']): VmSupervisor {
  const dirs = resolveVmDirs({ configDir: vmDir(v['config-dir'], 'config-dir'), runtimeDir: vmDir(v['runtime-dir'], 'runtime-dir') });
  const accel = v.accel === undefined ? 'auto' : v.accel;
  if (accel !== 'auto' && accel !== 'kvm' && accel !== 'tcg') throw bad(`--accel must be auto, kvm or tcg, not ${JSON.stringify(accel)}.`);
  const root = resolveRoot(v.root);
  // Taps are privileged changes like any other: planned, journaled (--state-dir), undoable.
  const changes = new ChangeService({ root: '/', stateDir: typeof v['state-dir'] === 'string' ? v['state-dir'] : undefined });
  return new VmSupervisor({
    store: new ProfileStore(dirs),
    root,
    accel,
    taps: plannedTaps(changes, () => new RootFs('/')),
    // Tests set this so a NAT NIC never reaches beyond the guest (`-netdev user,restrict=on`).
    restrictNat: process.env.PASSTHRU_RESTRICT_NAT === '1',
  });
}

function seconds(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value)) throw bad(`--timeout must be a number of seconds, not ${JSON.stringify(value)}.`);
  return Math.round(Number(value) * 1000);
}

function print(io: CliIo, json: boolean, data: unknown, text: string): void {
  io.out(json ? `${JSON.stringify(data, null, 2)}\n` : text.endsWith('\n') ? text : `${text}\n`);
}

async function runAction(action: Action, name: string, args: ParsedArgs, io: CliIo): Promise<void> {
  const v = args.values;
  const json = v.json === true;
  const sup = supervisor(v);
  switch (action) {
    case 'create': {
      const profile = await profileFromArgs(name, args, () => scanHost(new RootFs(resolveRoot(v.root)), { processes: false }));
      if (profile.firmware === 'ovmf' && !findOvmf()) {
        io.err('passthru: note: OVMF is not installed yet; install it (Debian/Ubuntu: `apt install ovmf`) before starting this VM.\n');
      }
      const file = sup.create(profile);
      print(io, json, { created: file, profile }, `Created VM ${name} (${file}). Start it with \`passthru vm start ${name}\`.`);
      return;
    }
    case 'start': {
      if (v['dry-run']) {
        const plan = await sup.plan(name, { paused: v.paused === true });
        const { scan: _scan, profile: _profile, ...rest } = plan;
        print(io, json, { ...rest, argv: plan.command.argv, notes: plan.command.notes }, [
          formatChecks(plan.checks),
          ...plan.checks.filter((c) => c.status === 'fail').slice(0, 1).map((c) => `Start would be refused: ${c.detail}`),
          ...plan.command.notes.map((n) => `Note: ${n}`),
          '',
          'qemu command line:',
          plan.shell,
          '',
        ].join('\n'));
        return;
      }
      const r = await sup.start(name, { paused: v.paused === true });
      const where = r.status.vnc ? `; VNC display at ${r.status.vnc}` : '';
      print(io, json, { started: name, notes: r.notes, status: r.status }, [
        ...r.notes.map((n) => `Note: ${n}`),
        `Started VM ${name} (pid ${r.status.pid ?? '?'}, ${r.status.accel ?? '?'}, ${r.status.state})${where}.${v.paused ? ` Run \`passthru vm resume ${name}\` to start its CPUs.` : ''}`,
      ].join('\n'));
      return;
    }
    case 'status': {
      const s = await sup.status(name);
      print(io, json, s, formatStatus(s));
      return;
    }
    case 'stop': {
      const r = await sup.stop(name, { force: v.force === true, timeoutMs: seconds(v.timeout) });
      const words = { powerdown: 'shut down by its guest (ACPI power button)', quit: 'forced off (qemu quit)', sigterm: 'forced off (SIGTERM)', sigkill: 'killed (SIGKILL)', 'not-running': 'was not running' }[r.how];
      print(io, json, { name, ...r }, [...r.notes.map((n) => `Note: ${n}`), `VM ${name} ${words}.`].join('\n'));
      return;
    }
    case 'pause':
    case 'resume': {
      if (action === 'pause') await sup.pause(name);
      else await sup.resume(name);
      const s = await sup.status(name);
      print(io, json, { name, state: s.state }, `VM ${name} is ${s.state}.`);
      return;
    }
    case 'list': {
      const entries = sup.list();
      print(io, json, entries, formatList(entries));
      return;
    }
    case 'delete':
      sup.delete(name);
      print(io, json, { deleted: name }, `Deleted VM ${name} (its disks are left alone).`);
      return;
    case 'export': {
      const format = v.format;
      if (format !== 'script' && format !== 'libvirt') throw bad('--format must be script or libvirt.');
      const { content } = await exportVm(sup, name, format);
      if (json) print(io, true, { name, format, content }, '');
      else io.out(content);
      return;
    }
  }
}

export const vmCommand: CliCommand = {
  name: 'vm',
  summary: 'Create, start, inspect, stop and export qemu VMs with a passthrough or virtio NIC.',
  usage:
    'passthru vm create NAME [--cpus N] [--memory MiB] [--disk PATH]… [--iso PATH] [--nic passthrough:ADDRESS|bridge:BRIDGE|nat]… [--display none|vnc|window] [--firmware seabios|ovmf] [--json]\n' +
    '       passthru vm start NAME [--paused] [--dry-run] [--accel auto|kvm|tcg]\n' +
    '       passthru vm status NAME [--json]\n' +
    '       passthru vm stop NAME [--force] [--timeout S]\n' +
    '       passthru vm pause|resume|delete NAME\n' +
    '       passthru vm list [--json]\n' +
    '       passthru vm export NAME --format script|libvirt',
  details: [
    'create NAME        Save a VM profile (NAME: letters, digits, . _ -). Defaults: 2 CPUs, 2048 MiB,',
    '                   SeaBIOS, no display. --disk and --nic may be repeated; disks must exist',
    '                   (qcow2 or raw, read from the file). NICs: passthrough:ADDRESS (a device on',
    '                   vfio-pci, or `passthru assign` it first), bridge:BRIDGE (a virtio NIC on a tap',
    '                   attached to an existing bridge), nat (virtio with qemu user networking).',
    'start NAME         Check (device on vfio-pci, group viable, /dev/vfio/N accessible, memlock,',
    '                   not used by another VM, disks, bridge), create taps (root), start qemu.',
    '  --paused         Build the machine but do not run its CPUs (state prelaunch); `vm resume` runs them.',
    '  --dry-run        Print the checks and the exact qemu command line; start nothing.',
    '  --accel A        auto (KVM when /dev/kvm is usable, else TCG), kvm or tcg.',
    'status NAME        State (from QMP query-status), pid, uptime, CPU time, guest PCI devices.',
    'stop NAME          ACPI power button, then force after --timeout S (default 60); --force at once.',
    'pause|resume NAME  Stop or run the VM\'s CPUs.',
    'list               Saved VMs and whether they run (found again after a restart).',
    'delete NAME        Delete the profile (not its disks); refused while it runs.',
    'export NAME        --format script: a shell script; --format libvirt: domain XML for virsh define.',
    '--config-dir DIR   Profiles directory (default $XDG_CONFIG_HOME/passthru).',
    '--runtime-dir DIR  Pidfiles, QMP sockets, logs (default $XDG_RUNTIME_DIR/passthru/vms).',
    '--state-dir DIR    Journal of the tap devices start and stop make (`passthru history`).',
    '--root DIR         Host tree the checks read (tests).',
    '--json             Machine-readable output.',
  ],
  options: {
    ...COMMON_OPTIONS,
    cpus: { type: 'string' },
    memory: { type: 'string' },
    disk: { type: 'string', multiple: true },
    iso: { type: 'string' },
    nic: { type: 'string', multiple: true },
    display: { type: 'string' },
    firmware: { type: 'string' },
    paused: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    accel: { type: 'string' },
    force: { type: 'boolean' },
    timeout: { type: 'string' },
    format: { type: 'string' },
    root: { type: 'string' },
    'config-dir': { type: 'string' },
    'runtime-dir': { type: 'string' },
    'state-dir': { type: 'string' },
  },
  positionals: ['ACTION'],
  optionalPositionals: ['NAME'],
  async run(args, io) {
    const action = args.positionals[0] as Action;
    if (!(ACTIONS as readonly string[]).includes(action)) throw bad(`Unknown action ${JSON.stringify(action)}: give ${ACTIONS.join(', ')}.`);
    const name = args.positionals[1];
    if (action === 'list') {
      if (name !== undefined) throw bad('vm list takes no name.');
    } else if (name === undefined) {
      throw bad(`vm ${action} needs the VM's NAME.`);
    } else {
      checkVmName(name);
    }
    const allowed = new Set([...ACTION_OPTIONS[action], 'json', 'help', 'config-dir', 'runtime-dir']);
    const given = [...Object.keys(args.values).filter((k) => args.values[k] !== undefined), ...Object.entries(args.lists ?? {}).filter(([, l]) => l.length).map(([k]) => k)];
    const stray = given.find((k) => !allowed.has(k));
    if (stray) throw bad(`--${stray} does not go with vm ${action}.`);
    await runAction(action, name ?? '', args, io);
  },
};
