/**
 * qemu's stderr and QMP errors → a cause and a remedy in plain words. qemu reports failures
 * as `qemu-system-x86_64: -device vfio-pci,host=…: vfio 0000:01:00.0: group 1 is not
 * viable`, which names the symptom, not what to do; here each known message (texts as qemu
 * 10 prints them) is matched and explained with what the scan knows — which group member to
 * move, which limit to raise.
 */
import type { HostScan } from '#shared/model';
import { PassthruError, type ErrorCode } from '#shared/errors';
import { QmpError } from './qmp-client';
import { formatArgv } from '#shared/shell-quote';

export interface QemuErrorContext {
  /** The host scan, to name a non-viable group's blockers; null when not scanned. */
  scan?: HostScan | null;
  memoryMiB?: number;
  /** RLIMIT_MEMLOCK in bytes (null = unlimited). */
  memlockBytes?: number | null;
}

export interface ExplainedQemuError {
  code: ErrorCode;
  cause: string;
  remedy: string;
}

type Rule = (text: string, ctx: QemuErrorContext) => ExplainedQemuError | null;

function groupBlockers(scan: HostScan | null | undefined, group: number): string {
  const g = scan?.groups.find((x) => x.id === group);
  if (!g) return '';
  if (!g.blockers.length) return ` Its members are ${g.devices.join(', ')}.`;
  const list = g.blockers.map((b) => `${b.address} (on ${b.driver})`).join(', ');
  return ` It also holds ${list}, still on a host driver.`;
}

const rules: Rule[] = [
  (t, ctx) => {
    const m = /group (\d+) is not viable/.exec(t);
    if (!m) return null;
    const group = Number(m[1]);
    return {
      code: 'REFUSED',
      cause: `IOMMU group ${group} is not viable: a device can only be given to a VM when every other device of its group is off its host driver.${groupBlockers(ctx.scan, group)}`,
      remedy: 'Assign the whole group to vfio-pci if the host can spare its other members, or choose a device in a group of its own.',
    };
  },
  (t) => {
    const m = /failed to open (\/dev\/vfio\/(\d+)): Permission denied/.exec(t) ?? /(\/dev\/vfio\/(\d+))[^\n]*Permission denied/.exec(t);
    if (!m) return null;
    return {
      code: 'REFUSED',
      cause: `qemu may not open ${m[1]}, the VFIO group of the device: it belongs to another user.`,
      remedy: 'Give the device back and assign it again, giving its group to the user who starts the VM, or start the VM as root.',
    };
  },
  (t) => {
    const m = /failed to open (\/dev\/vfio\/(\d+)): Device or resource busy/.exec(t);
    if (!m) return null;
    return {
      code: 'REFUSED',
      cause: `${m[1]} is already open: another VM (or program) is using a device of that group.`,
      remedy: 'Stop the VM that has the device (the VMs list shows which), or choose another device.',
    };
  },
  (t, ctx) => {
    if (!/(VFIO_MAP_DMA|dma_map)[^\n]*(Cannot allocate memory|-12\b)/i.test(t)) return null;
    const limit =
      ctx.memlockBytes === undefined
        ? ''
        : ctx.memlockBytes === null
          ? ' The limit is unlimited, so the host itself is short of memory.'
          : ` The limit is ${Math.round(ctx.memlockBytes / 1048576)} MiB${ctx.memoryMiB ? `; the guest has ${ctx.memoryMiB} MiB` : ''}.`;
    return {
      code: 'ENVIRONMENT',
      cause: `qemu could not pin the guest's memory for the device's DMA: VFIO locks all guest RAM, and the locked-memory limit (RLIMIT_MEMLOCK) is too low.${limit}`,
      remedy: 'Raise the limit for your user (`ulimit -l`, or a `memlock` line in /etc/security/limits.conf, then log in again), give the VM less memory, or start it as root.',
    };
  },
  (t) => {
    if (!/no iommu_group found|No available IOMMU models|No IOMMU found/i.test(t)) return null;
    return {
      code: 'ENVIRONMENT',
      cause: 'The device has no IOMMU group: the IOMMU is off (or absent), so it cannot be given to a VM safely.',
      remedy: 'Turn the IOMMU on in the boot configuration (IOMMU boot settings), then reboot.',
    };
  },
  (t) => {
    const m = /vfio (\/sys\/bus\/pci\/devices\/)?([0-9a-f:.]+): no such host device/.exec(t);
    if (!m) return null;
    return {
      code: 'BAD_INPUT',
      cause: `There is no PCI device ${m[2]} on this host (any more).`,
      remedy: "Choose a device this host has; a VF disappears when its PF's VFs are removed.",
    };
  },
  (t) => {
    const m = /could not configure \/dev\/net\/tun \(([^)]+)\): Device or resource busy/.exec(t);
    if (!m) return null;
    return {
      code: 'REFUSED',
      cause: `The tap device ${m[1]} is already in use by another program (another qemu?).`,
      remedy: `Stop whatever uses it, or remove it: \`${formatArgv(['sudo', 'ip', 'link', 'delete', m[1] ?? ''])}\`.`,
    };
  },
  (t) => {
    const m = /could not configure \/dev\/net\/tun(?: \(([^)]+)\))?: (Operation not permitted|Permission denied)/.exec(t);
    if (!m) return null;
    return {
      code: 'REFUSED',
      cause: `qemu may not open the tap device${m[1] ? ` ${m[1]}` : ''}: it is not owned by this user.`,
      remedy: 'Start the VM as root, or create the tap owned by you (`sudo ip tuntap add dev TAP mode tap user $USER`).',
    };
  },
  (t) => {
    const m = /Could not open '([^']+)': (No such file or directory|Permission denied|[^\n]+)/.exec(t);
    if (!m) return null;
    const missing = m[2] === 'No such file or directory';
    return {
      code: missing ? 'BAD_INPUT' : 'REFUSED',
      cause: missing ? `The disk image ${m[1]} does not exist.` : `qemu could not open ${m[1]}: ${m[2]}.`,
      remedy: missing
        ? `Fix the disk's path in the VM's profile, or create the image (\`${formatArgv(['qemu-img', 'create', '-f', 'qcow2', m[1] ?? '', '20G'])}\`).`
        : "Check the file's permissions (and that no other VM has it open).",
    };
  },
  (t) => {
    if (!/Could not access KVM kernel module|failed to initialize kvm|failed to initialize KVM/i.test(t)) return null;
    return {
      code: 'ENVIRONMENT',
      cause: 'KVM is not usable: /dev/kvm is missing or not accessible to this user.',
      remedy: 'Enable virtualization (VT-x/AMD-V) in the firmware, load kvm_intel or kvm_amd, and add yourself to the kvm group.',
    };
  },
  (t) => {
    if (!/cannot set up guest memory[^\n]*Cannot allocate memory/.test(t)) return null;
    return { code: 'ENVIRONMENT', cause: 'The host does not have enough free memory for the guest.', remedy: 'Give the VM less memory, or stop other VMs.' };
  },
];

/** The explanation of qemu's output, or null when no rule knows it. */
export function explainQemuError(text: string, ctx: QemuErrorContext = {}): ExplainedQemuError | null {
  for (const rule of rules) {
    const r = rule(text, ctx);
    if (r) return r;
  }
  return null;
}

/** qemu's error lines without the `qemu-system-x86_64: -device …:` prefixes, for a one-line detail. */
export function qemuErrorLines(stderr: string): string {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^qemu-system-\w+: terminating on signal/.test(l))
    .join('\n');
}

/** A failed start (stderr) or QMP command as a PassthruError with cause and remedy. */
export function qemuFailure(what: string, source: string | QmpError, ctx: QemuErrorContext = {}): PassthruError {
  const text = typeof source === 'string' ? source : `${source.errorClass}: ${source.desc}`;
  const explained = explainQemuError(text, ctx);
  const detail = typeof source === 'string' ? qemuErrorLines(source) : text;
  if (explained) return new PassthruError(explained.code, `${what}: ${explained.cause}`, explained.remedy, detail || null);
  const first = detail.split('\n')[0] ?? '';
  return new PassthruError('FAILED', `${what}: ${first || 'qemu gave no reason'}`, "See the VM's log (the VM's status says where it is).", detail || null);
}
