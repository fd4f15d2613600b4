/**
 * The checks a VM start runs before qemu: everything qemu would fail on with a cryptic line
 * (a group that is not viable, /dev/vfio/N not accessible, memlock too low, a missing disk,
 * a missing bridge) — and one qemu would not catch at all: a device already given to another
 * running VM. Each result says what was found and what to do, so the GUI can list them and
 * the CLI can stop at the first failure with its remedy.
 */
import { existsSync, statSync } from 'node:fs';
import type { ErrorCode } from '#shared/errors';
import { PassthruError } from '#shared/errors';
import type { HostScan } from '#shared/model';
import type { VmProfile } from '#shared/vm';
import type { VmFix } from '#shared/vm-api';
import type { HostFs } from '../fs/host-fs';
import { memlockNeeded, type MemlockLimit } from './vm-host';
import { formatArgv } from '#shared/shell-quote';

export interface VmCheck {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'warn';
  detail: string;
  remedy: string | null;
  /** The error code a failure becomes. */
  code: ErrorCode;
  /** Passthru's own action that fixes it (a button in the window, a command in the CLI). */
  fix: VmFix | null;
}

export interface VmCheckInput {
  profile: VmProfile;
  /** Needed when the profile has passthrough NICs. */
  scan: HostScan | null;
  fs: HostFs;
  memlock: MemlockLimit;
  /** PCI addresses other running VMs of ours hold, with the VM's name. */
  heldByOtherVms: Map<string, string>;
  /** Tests substitute; the disks and ISO are the user's files on this machine. */
  fileExists?: (path: string) => boolean;
  /**
   * Set when `scan` and `fs` are a snapshot's (the GUI showing one): the checks rehearse the
   * profile against that host, say so, and refuse the start — VMs run on this machine. What a
   * snapshot does not record (the locked-memory limit, who may open /dev/vfio/N, the processes
   * holding a group) becomes a warning instead of a guess; `memlock` is then not read.
   */
  snapshot?: { hostname: string | null } | null;
}

/** How the checks name the host they read: this one, or the snapshot's. */
function hostWords(input: VmCheckInput): string {
  if (!input.snapshot) return 'this host';
  return input.snapshot.hostname ? `${input.snapshot.hostname} (the snapshot)` : "the snapshot's host";
}

function warn(id: string, title: string, detail: string, remedy: string | null = null): VmCheck {
  return { id, title, status: 'warn', detail, remedy, code: 'REFUSED', fix: null };
}

function check(id: string, title: string, ok: boolean, detail: string, failure?: { remedy: string; code: ErrorCode; fix?: VmFix }): VmCheck {
  return ok
    ? { id, title, status: 'pass', detail, remedy: null, code: 'REFUSED', fix: null }
    : { id, title, status: 'fail', detail, remedy: failure?.remedy ?? null, code: failure?.code ?? 'REFUSED', fix: failure?.fix ?? null };
}

const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();

export function runVmChecks(input: VmCheckInput): VmCheck[] {
  const { profile, scan, fs } = input;
  const fileExists = input.fileExists ?? isFile;
  const out: VmCheck[] = [];
  const snapshot = input.snapshot ?? null;
  const where = hostWords(input);
  // The disk images are files of the machine that runs the VM: this one (a snapshot holds none).
  const here = snapshot ? ' (on this machine: a snapshot holds no disk images)' : '';

  if (snapshot) {
    const name = snapshot.hostname ?? "the snapshot's host";
    out.push(
      check(
        'host',
        'Where the VM runs',
        false,
        `These checks read the snapshot of ${name}: its devices, bridges and KVM. VMs run on this machine, not on ${name}, so this profile can be saved but not started from here.`,
        {
          remedy: 'Go back to the live host ("Back to live host") to start VMs on this machine; its checks then read this machine.',
          code: 'REFUSED',
        },
      ),
    );
  }

  profile.disks.forEach((d, i) => {
    const ok = fileExists(d.path);
    out.push(
      check(`disk${i}`, `Disk ${d.path}`, ok, ok ? `The image exists${here}.` : `The disk image ${d.path} does not exist${here}.`, {
        remedy: `Create it (\`${formatArgv(['qemu-img', 'create', '-f', d.format, d.path, '20G'])}\`) or fix the path.`,
        code: 'BAD_INPUT',
      }),
    );
  });
  if (profile.iso) {
    const ok = fileExists(profile.iso);
    out.push(
      check('iso', `Installer ${profile.iso}`, ok, ok ? `The ISO exists${here}.` : `The ISO ${profile.iso} does not exist${here}.`, { remedy: 'Fix the path.', code: 'BAD_INPUT' }),
    );
  }

  profile.nics.forEach((nic, i) => {
    if (nic.kind === 'bridge') {
      const ok = fs.exists(`/sys/class/net/${nic.bridge}/bridge`);
      const exists = fs.exists(`/sys/class/net/${nic.bridge}`);
      out.push(
        check(
          `nic${i}-bridge`,
          `NIC ${i + 1}: bridge ${nic.bridge}`,
          ok,
          ok ? `${nic.bridge} is a bridge on ${where}.` : exists ? `${nic.bridge} is an interface of ${where} but not a bridge.` : `There is no bridge ${nic.bridge} on ${where}.`,
          {
            remedy: `Create the bridge first (for example \`${formatArgv(['sudo', 'ip', 'link', 'add', nic.bridge, 'type', 'bridge'])}\`), or make this NIC a NAT one.`,
            code: 'ENVIRONMENT',
          },
        ),
      );
    }
    if (nic.kind !== 'passthrough') return;
    out.push(...passthroughChecks(i, nic.address, input, scan));
  });

  if (profile.nics.some((n) => n.kind === 'passthrough') && snapshot) {
    const need = Math.ceil(memlockNeeded(profile.memoryMiB) / 1048576);
    out.push(
      warn(
        'memlock',
        'Locked-memory limit (RLIMIT_MEMLOCK)',
        `A snapshot does not record the locked-memory limit of ${where}. VFIO pins all ${profile.memoryMiB} MiB of guest memory (plus about 1 GiB): the user who starts qemu needs a limit of at least ${need} MiB.`,
      ),
    );
  } else if (profile.nics.some((n) => n.kind === 'passthrough')) {
    const need = memlockNeeded(profile.memoryMiB);
    const { bytes, capIpcLock } = input.memlock;
    const ok = capIpcLock || bytes === null || bytes >= need;
    const detail = capIpcLock
      ? 'Running with CAP_IPC_LOCK (root): the locked-memory limit does not apply.'
      : bytes === null
        ? 'The locked-memory limit is unlimited.'
        : `The locked-memory limit is ${Math.floor(bytes / 1048576)} MiB; VFIO pins all ${profile.memoryMiB} MiB of guest memory (plus about 1 GiB), ${Math.ceil(need / 1048576)} MiB.`;
    out.push(
      check('memlock', 'Locked-memory limit (RLIMIT_MEMLOCK)', ok, detail, {
        remedy: `Raise it to at least ${Math.ceil(need / 1048576)} MiB (a \`memlock\` line in /etc/security/limits.conf, then log in again), give the VM less memory, or start it as root.`,
        code: 'ENVIRONMENT',
      }),
    );
  }
  return out;
}

function passthroughChecks(i: number, address: string, input: VmCheckInput, scan: HostScan | null): VmCheck[] {
  // Numbered from 1 as the form numbers them; the ids (nic0-…) stay internal.
  const title = `NIC ${i + 1}: passthrough ${address}`;
  if (!scan) return [check(`nic${i}-device`, title, false, 'The host was not scanned.', { remedy: 'This is a bug in Passthru.', code: 'INTERNAL' })];
  const dev = scan.devices.find((d) => d.address === address);
  const where = hostWords(input);
  if (!dev) {
    return [
      check(`nic${i}-device`, title, false, `There is no PCI device ${address} on ${where}.`, {
        remedy: `Choose a device that ${where} has; a VF disappears when its PF's VFs are removed.`,
        code: 'BAD_INPUT',
      }),
    ];
  }
  const out: VmCheck[] = [];
  const name = [dev.vendorName, dev.deviceName].filter(Boolean).join(' ') || `${dev.vendorId}:${dev.deviceId}`;
  const group = dev.iommuGroup === null ? undefined : scan.groups.find((g) => g.id === dev.iommuGroup);
  // The group's verdict (shared/group-passthrough.ts): a group holding what the host cannot
  // give up (the management NIC, a mounted disk's controller, the display) is never offered
  // an assign here — it would cut the host off rather than help the VM.
  const blocked = group?.passthrough.state === 'blocked';
  if (blocked) {
    out.push(
      check(`nic${i}-host-needs`, `${title}: not needed by the host`, false, group.passthrough.reasons.join(' ').replace(/\bthis host\b/g, where), {
        remedy: 'Choose another device: giving this one to a VM takes away what the host runs on (for the management NIC, its network).',
        code: 'REFUSED',
      }),
    );
  }
  out.push(
    check(
      `nic${i}-driver`,
      `${title} on vfio-pci`,
      dev.driver === 'vfio-pci',
      dev.driver === 'vfio-pci' ? `${name} is on vfio-pci.` : `${address} (${name}) is on ${dev.driver ?? 'no driver'}, not vfio-pci.`,
      blocked
        ? { remedy: 'It stays with the host (see above).', code: 'REFUSED' }
        : {
            remedy: 'Assign it to vfio-pci first.',
            code: 'REFUSED',
            fix: { kind: 'assign', address, wholeGroup: false },
          },
    ),
  );
  if (dev.iommuGroup === null || !group) {
    out.push(
      check(`nic${i}-group`, `${title}: IOMMU group`, false, `${address} has no IOMMU group: the IOMMU is off.`, {
        remedy: 'Turn the IOMMU on in the boot configuration (IOMMU boot settings), then reboot.',
        code: 'ENVIRONMENT',
        fix: { kind: 'iommu' },
      }),
    );
    return out;
  }
  const others = group.devices.filter((a) => a !== address);
  const blockers = group.blockers.filter((b) => b.address !== address);
  out.push(
    check(
      `nic${i}-group`,
      `${title}: IOMMU group ${group.id} viable`,
      blockers.length === 0,
      blockers.length === 0
        ? `Group ${group.id}${others.length ? ` (with ${others.join(', ')})` : ''} is viable.`
        : `${address} shares IOMMU group ${group.id} with ${blockers.map((b) => `${b.address} (on ${b.driver})`).join(', ')}; qemu would fail with "group ${group.id} is not viable".`,
      {
        remedy: `Assign the whole group to vfio-pci if the host can spare ${blockers.length > 1 ? 'those devices' : 'that device'}, or choose a device in a group of its own.`,
        code: 'REFUSED',
        // Never offered for a group the host needs: the whole group would take that with it.
        ...(blocked ? {} : { fix: { kind: 'assign', address, wholeGroup: true } as const }),
      },
    ),
  );
  const node = `/dev/vfio/${group.id}`;
  // Re-assigning a device already on vfio-pci changes nothing, so the way is back and again.
  const ownerRemedy = `Give ${address} back and assign it again, giving its group to the user who starts the VM, or start the VM as root.`;
  if (dev.driver === 'vfio-pci') {
    const access = input.fs.accessibleRw(node);
    if (access === null) {
      out.push(
        warn(
          `nic${i}-vfio-node`,
          `${title}: ${node} accessible`,
          input.snapshot ? `A snapshot does not record who may open ${node} on ${where}.` : `${node}: access cannot be known for this host tree.`,
          ownerRemedy,
        ),
      );
    } else {
      out.push(
        check(`nic${i}-vfio-node`, `${title}: ${node} accessible`, access, access ? `${node} can be opened read-write.` : `${node} cannot be opened read-write by this user.`, {
          remedy: ownerRemedy,
          code: 'REFUSED',
        }),
      );
    }
  }
  if (input.snapshot) {
    // A snapshot records no processes (listing /proc would put them all in a bug report).
    out.push(
      warn(`nic${i}-free`, `${title}: not used by another VM`, `A snapshot records no processes: whether a VM on ${where} holds ${address} or group ${group.id} is not known.`),
    );
    return out;
  }
  const otherVm = input.heldByOtherVms.get(address) ?? [...input.heldByOtherVms.entries()].find(([a]) => others.includes(a))?.[1];
  const holders = group.openBy;
  const free = !otherVm && holders.length === 0;
  out.push(
    check(
      `nic${i}-free`,
      `${title}: not used by another VM`,
      free,
      free
        ? 'No other VM holds the device or its group.'
        : otherVm
          ? `VM ${otherVm} is running with ${address} or another device of group ${group.id}.`
          : `${node} is held open by ${holders.map((h) => `${h.command} (pid ${h.pid})`).join(', ')}.`,
      otherVm ? { remedy: `Stop VM ${otherVm} first.`, code: 'REFUSED', fix: { kind: 'stop-vm', name: otherVm } } : { remedy: 'Stop that VM or program first.', code: 'REFUSED' },
    ),
  );
  return out;
}

/** A start refused by a check, with the check's fix as data (the CLI prints its command; IPC sends the words). */
export class VmCheckRefusal extends PassthruError {
  constructor(
    readonly check: VmCheck,
    detail: string,
  ) {
    super(check.code, check.detail, check.remedy, detail);
  }
}

/** Throws the first failed check as a VmCheckRefusal (its remedy and fix included). */
export function assertVmChecks(checks: VmCheck[]): void {
  const failed = checks.find((c) => c.status === 'fail');
  if (!failed) return;
  throw new VmCheckRefusal(
    failed,
    checks
      .filter((c) => c.status === 'fail')
      .map((c) => `${c.title}: ${c.detail}`)
      .join('\n'),
  );
}
