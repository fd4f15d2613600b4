/**
 * A VM profile → the qemu command line, as an argv array handed to execve (never a shell
 * string). Every user-supplied value sits inside a `key=value` option and has its commas
 * doubled (qemu's escape), so `a,b` cannot smuggle in another key; files are opened with
 * `-blockdev driver=file,filename=…` — unlike `-drive file=…` that neither treats a leading
 * `-` as an option nor reads `proto:` prefixes (nbd:, http:) as protocols.
 *
 * qemu runs with `-daemonize`: the parent exits only after the machine is built (so an early
 * error arrives on its stderr with exit status 1), and the VM outlives the CLI or app that
 * started it; a later process finds it again through the pidfile and the QMP socket.
 */
import { nicMac, vmTapName, type VmProfile } from '#shared/vm';
import { formatArgv } from '#shared/shell-quote';

export const QEMU_BINARY = 'qemu-system-x86_64';

/** Where a VM's runtime files live (see profile-store.ts). */
export interface VmRuntimePaths {
  dir: string;
  pidFile: string;
  qmpSocket: string;
  logFile: string;
  /** The guest's serial console, written to a file (the only console with display none). */
  serialLog: string;
}

/** OVMF's code (read-only, shared) and this VM's own copy of the variable store. */
export interface FirmwareFiles {
  code: string;
  vars: string;
}

export interface QemuArgvInput {
  profile: VmProfile;
  paths: VmRuntimePaths;
  accel: 'kvm' | 'tcg';
  /** TCG was asked for (--accel tcg), not chosen because KVM is unusable. */
  accelForced?: boolean;
  /** Why this accelerator, in words, when the reason is not this machine's /dev/kvm (a snapshot's facts). */
  accelNote?: string;
  /** Required when profile.firmware is ovmf. */
  firmware: FirmwareFiles | null;
  /** `-S`: the machine is built but no CPU runs until `cont` (state `prelaunch`). */
  paused?: boolean;
  /** Tests: `-netdev user,restrict=on` so NAT traffic never leaves the machine. */
  restrictNat?: boolean;
  binary?: string;
}

export interface QemuCommand {
  argv: string[];
  /** Plain sentences about choices made (TCG instead of KVM, …). */
  notes: string[];
  /** Tap devices the bridge NICs use, by NIC index. */
  taps: { index: number; tap: string; bridge: string }[];
}

/** qemu's escape for a value inside a comma-separated option: a comma is written twice. */
export function qemuEscape(value: string): string {
  return value.replace(/,/g, ',,');
}

/** `key=value,key=value` with every value escaped. */
function opts(head: string | null, pairs: [string, string | number][]): string {
  const parts = pairs.map(([k, v]) => `${k}=${qemuEscape(String(v))}`);
  return (head === null ? parts : [head, ...parts]).join(',');
}

/** The guest PCI device id a NIC gets, so `query-pci` results map back to the profile. */
export function nicDeviceId(index: number): string {
  return `nic${index}`;
}

export function buildQemuArgv(input: QemuArgvInput): QemuCommand {
  const { profile, paths, accel } = input;
  const argv: string[] = [input.binary ?? QEMU_BINARY];
  const notes: string[] = [];
  const taps: QemuCommand['taps'] = [];
  const add = (...a: string[]): void => {
    argv.push(...a);
  };

  add(
    '-name',
    opts(null, [
      ['guest', profile.name],
      ['process', `passthru-${profile.name}`],
    ]),
  );
  add('-nodefaults', '-no-user-config');
  const machine: [string, string][] = [['accel', accel]];
  if (profile.firmware === 'ovmf') machine.push(['pflash0', 'fw-code'], ['pflash1', 'fw-vars']);
  add('-machine', opts(profile.machine, machine));
  if (accel === 'kvm') add('-cpu', 'host');
  if (input.accelNote) notes.push(input.accelNote);
  else if (accel === 'kvm') {
    // KVM needs no explaining.
  } else if (input.accelForced) notes.push('TCG was asked for: qemu emulates the CPU (slower than KVM).');
  else notes.push('KVM is not usable here (/dev/kvm cannot be opened read-write), so qemu emulates the CPU with TCG: it works, but runs many times slower.');
  add('-smp', String(profile.cpus), '-m', String(profile.memoryMiB));

  if (profile.firmware === 'ovmf') {
    if (!input.firmware) throw new Error('OVMF firmware files were not resolved.');
    add(
      '-blockdev',
      opts(null, [
        ['driver', 'file'],
        ['filename', input.firmware.code],
        ['node-name', 'fw-code'],
        ['read-only', 'on'],
      ]),
    );
    add(
      '-blockdev',
      opts(null, [
        ['driver', 'file'],
        ['filename', input.firmware.vars],
        ['node-name', 'fw-vars'],
      ]),
    );
  }

  profile.disks.forEach((disk, i) => {
    add(
      '-blockdev',
      opts(null, [
        ['driver', 'file'],
        ['filename', disk.path],
        ['node-name', `disk${i}-file`],
      ]),
    );
    add(
      '-blockdev',
      opts(null, [
        ['driver', disk.format],
        ['file', `disk${i}-file`],
        ['node-name', `disk${i}`],
      ]),
    );
    add(
      '-device',
      opts('virtio-blk-pci', [
        ['drive', `disk${i}`],
        ['id', `disk${i}`],
        ['bootindex', i + 1],
      ]),
    );
  });
  if (profile.iso) {
    add(
      '-blockdev',
      opts(null, [
        ['driver', 'file'],
        ['filename', profile.iso],
        ['node-name', 'cd0-file'],
        ['read-only', 'on'],
      ]),
    );
    add(
      '-blockdev',
      opts(null, [
        ['driver', 'raw'],
        ['file', 'cd0-file'],
        ['node-name', 'cd0'],
        ['read-only', 'on'],
      ]),
    );
    // q35's built-in AHCI controller provides ide.0…ide.5; the installer boots first.
    add(
      '-device',
      opts('ide-cd', [
        ['drive', 'cd0'],
        ['bus', 'ide.0'],
        ['id', 'cd0'],
        ['bootindex', 0],
      ]),
    );
  }

  switch (profile.display) {
    case 'none':
      add('-display', 'none');
      break;
    case 'vnc':
      // Loopback only, first free display from :0 (query-vnc tells which); with no password,
      // only users of this machine can reach it.
      add('-display', 'none', '-vnc', '127.0.0.1:0,to=99');
      add('-device', 'VGA');
      break;
    case 'window':
      add('-display', 'gtk');
      add('-device', 'VGA');
      break;
  }

  if (profile.nics.length === 0) notes.push('The VM has no network card.');
  profile.nics.forEach((nic, i) => {
    const id = nicDeviceId(i);
    if (nic.kind === 'passthrough') {
      add(
        '-device',
        opts('vfio-pci', [
          ['host', nic.address],
          ['id', id],
        ]),
      );
      return;
    }
    const mac = nicMac(profile.name, nic, i) ?? '';
    if (nic.kind === 'bridge') {
      const tap = vmTapName(profile.name, i);
      taps.push({ index: i, tap, bridge: nic.bridge });
      add(
        '-netdev',
        opts('tap', [
          ['id', `net${i}`],
          ['ifname', tap],
          ['script', 'no'],
          ['downscript', 'no'],
        ]),
      );
    } else {
      add(
        '-netdev',
        opts(
          'user',
          input.restrictNat
            ? [
                ['id', `net${i}`],
                ['restrict', 'on'],
              ]
            : [['id', `net${i}`]],
        ),
      );
    }
    add(
      '-device',
      opts('virtio-net-pci', [
        ['netdev', `net${i}`],
        ['mac', mac],
        ['id', id],
      ]),
    );
  });

  add(
    '-chardev',
    opts('file', [
      ['id', 'serial0'],
      ['path', paths.serialLog],
    ]),
    '-serial',
    'chardev:serial0',
  );
  add('-qmp', `unix:${qemuEscape(paths.qmpSocket)},server=on,wait=off`);
  add('-pidfile', paths.pidFile);
  add('-D', paths.logFile);
  if (input.paused) add('-S');
  add('-daemonize');
  return { argv, notes, taps };
}

/** The command line as one copyable shell line (preview, export) — never executed. */
export function qemuShellLine(argv: readonly string[]): string {
  return formatArgv(argv);
}
