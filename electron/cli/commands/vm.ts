/**
 * `passthru vm create|start|status|stop|pause|resume|list|delete|export`: saved VM
 * profiles run by qemu with a passthrough NIC, a virtio NIC on a bridge, or NAT. The work is
 * in electron/host/vm/ (profile store, checks, argv builder, QMP, supervisor, exports); this
 * file only parses, dispatches and prints.
 */

import { checkVmName } from '#shared/vm-names';
import { COMMON_OPTIONS, usageError, type CliCommand } from '../command-line';

const bad = (message: string) => usageError('vm', message);

const ACTIONS = ['create', 'start', 'status', 'stop', 'pause', 'resume', 'list', 'delete', 'export'] as const;
export type Action = (typeof ACTIONS)[number];

/** Which options each action accepts (besides --json, --help, --config-dir, --runtime-dir). */
export const ACTION_OPTIONS: Record<Action, string[]> = {
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
    "pause|resume NAME  Stop or run the VM's CPUs.",
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
  actions: ACTIONS,
  values: {
    cpus: { type: 'integer', min: 1, max: 256 },
    memory: { type: 'integer', min: 16, max: 16 * 1024 * 1024, unit: 'MiB' },
    disk: { type: 'file' },
    iso: { type: 'file' },
    nic: { type: 'text' },
    display: { type: 'choice', values: ['none', 'vnc', 'window'] },
    firmware: { type: 'choice', values: ['seabios', 'ovmf'] },
    accel: { type: 'choice', values: ['auto', 'kvm', 'tcg'] },
    timeout: { type: 'decimal', min: 0, max: 86_400, unit: 'seconds' },
    format: { type: 'choice', values: ['script', 'libvirt'] },
  },
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
    const given = [
      ...Object.keys(args.values).filter((k) => args.values[k] !== undefined),
      ...Object.entries(args.lists ?? {})
        .filter(([, l]) => l.length)
        .map(([k]) => k),
    ];
    const stray = given.find((k) => !allowed.has(k));
    if (stray) throw bad(`--${stray} does not go with vm ${action}.`);
    // The implementation (zod, QMP, qemu) is loaded only now: other commands start faster.
    const { runAction } = await import('./vm-actions');
    await runAction(action, name ?? '', args, io);
  },
};
