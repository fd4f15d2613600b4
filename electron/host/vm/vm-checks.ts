/**
 * The checks a VM start runs before qemu: everything qemu would fail on with a cryptic line
 * (a group that is not viable, /dev/vfio/N not accessible, memlock too low, a missing disk,
 * a missing bridge) — and one qemu would not catch at all: a device already given to another
 * running VM. Each result says what was found and what to do, so the GUI can list them and
 * the CLI can stop at the first failure with its remedy.
 */
import { existsSync, statSync } from 'node:fs';
import type { ErrorCode } from '../../../shared/errors';
import { PassthruError } from '../../../shared/errors';
import type { HostScan } from '../../../shared/model';
import type { VmProfile } from '../../../shared/vm';
import type { HostFs } from '../fs/host-fs';
import { memlockNeeded, type MemlockLimit } from './vm-host';
import { formatArgv } from '../../../shared/shell-quote';

export interface VmCheck {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'warn';
  detail: string;
  remedy: string | null;
  /** The error code a failure becomes. */
  code: ErrorCode;
  /** A command that fixes it, e.g. `passthru assign 0000:01:00.0` (the CLI offers it). */
  fix: string | null;
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
}

function check(id: string, title: string, ok: boolean, detail: string, failure?: { remedy: string; code: ErrorCode; fix?: string }): VmCheck {
  return ok
    ? { id, title, status: 'pass', detail, remedy: null, code: 'REFUSED', fix: null }
    : { id, title, status: 'fail', detail, remedy: failure?.remedy ?? null, code: failure?.code ?? 'REFUSED', fix: failure?.fix ?? null };
}

const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();

export function runVmChecks(input: VmCheckInput): VmCheck[] {
  const { profile, scan, fs } = input;
  const fileExists = input.fileExists ?? isFile;
  const out: VmCheck[] = [];

  profile.disks.forEach((d, i) => {
    const ok = fileExists(d.path);
    out.push(check(`disk${i}`, `Disk ${d.path}`, ok, ok ? 'The image exists.' : `The disk image ${d.path} does not exist.`, {
      remedy: `Create it (\`${formatArgv(['qemu-img', 'create', '-f', d.format, d.path, '20G'])}\`) or fix the path.`,
      code: 'BAD_INPUT',
    }));
  });
  if (profile.iso) {
    const ok = fileExists(profile.iso);
    out.push(check('iso', `Installer ${profile.iso}`, ok, ok ? 'The ISO exists.' : `The ISO ${profile.iso} does not exist.`, { remedy: 'Fix the path.', code: 'BAD_INPUT' }));
  }

  profile.nics.forEach((nic, i) => {
    if (nic.kind === 'bridge') {
      const ok = fs.exists(`/sys/class/net/${nic.bridge}/bridge`);
      const exists = fs.exists(`/sys/class/net/${nic.bridge}`);
      out.push(check(`nic${i}-bridge`, `NIC ${i}: bridge ${nic.bridge}`, ok, ok ? `${nic.bridge} is a bridge.` : exists ? `${nic.bridge} is an interface but not a bridge.` : `There is no bridge ${nic.bridge}.`, {
        remedy: `Create the bridge first (e.g. \`${formatArgv(['sudo', 'ip', 'link', 'add', nic.bridge, 'type', 'bridge'])}\`), or use --nic nat.`,
        code: 'ENVIRONMENT',
      }));
    }
    if (nic.kind !== 'passthrough') return;
    out.push(...passthroughChecks(i, nic.address, input, scan));
  });

  if (profile.nics.some((n) => n.kind === 'passthrough')) {
    const need = memlockNeeded(profile.memoryMiB);
    const { bytes, capIpcLock } = input.memlock;
    const ok = capIpcLock || bytes === null || bytes >= need;
    const detail = capIpcLock
      ? 'Running with CAP_IPC_LOCK (root): the locked-memory limit does not apply.'
      : bytes === null
        ? 'The locked-memory limit is unlimited.'
        : `The locked-memory limit is ${Math.floor(bytes / 1048576)} MiB; VFIO pins all ${profile.memoryMiB} MiB of guest memory (plus about 1 GiB), ${Math.ceil(need / 1048576)} MiB.`;
    out.push(check('memlock', 'Locked-memory limit (RLIMIT_MEMLOCK)', ok, detail, {
      remedy: `Raise it to at least ${Math.ceil(need / 1048576)} MiB (a \`memlock\` line in /etc/security/limits.conf, then log in again), give the VM less memory, or start it as root.`,
      code: 'ENVIRONMENT',
    }));
  }
  return out;
}

function passthroughChecks(i: number, address: string, input: VmCheckInput, scan: HostScan | null): VmCheck[] {
  const title = `NIC ${i}: passthrough ${address}`;
  if (!scan) return [check(`nic${i}-device`, title, false, 'The host was not scanned.', { remedy: 'This is a bug in Passthru.', code: 'INTERNAL' })];
  const dev = scan.devices.find((d) => d.address === address);
  if (!dev) {
    return [check(`nic${i}-device`, title, false, `There is no PCI device ${address} on this host.`, { remedy: 'Check the address with `passthru scan`.', code: 'BAD_INPUT' })];
  }
  const out: VmCheck[] = [];
  const name = [dev.vendorName, dev.deviceName].filter(Boolean).join(' ') || `${dev.vendorId}:${dev.deviceId}`;
  out.push(check(`nic${i}-driver`, `${title} on vfio-pci`, dev.driver === 'vfio-pci', dev.driver === 'vfio-pci' ? `${name} is on vfio-pci.` : `${address} (${name}) is on ${dev.driver ?? 'no driver'}, not vfio-pci.`, {
    remedy: `Give it to vfio-pci first: \`${formatArgv(['sudo', 'passthru', 'assign', address])}\`.`,
    code: 'REFUSED',
    fix: formatArgv(['passthru', 'assign', address]),
  }));
  const group = dev.iommuGroup === null ? undefined : scan.groups.find((g) => g.id === dev.iommuGroup);
  if (dev.iommuGroup === null || !group) {
    out.push(check(`nic${i}-group`, `${title}: IOMMU group`, false, `${address} has no IOMMU group: the IOMMU is off.`, {
      remedy: 'Turn the IOMMU on (`passthru iommu enable`, then reboot).',
      code: 'ENVIRONMENT',
    }));
    return out;
  }
  const others = group.devices.filter((a) => a !== address);
  const blockers = group.blockers.filter((b) => b.address !== address);
  out.push(check(`nic${i}-group`, `${title}: IOMMU group ${group.id} viable`, blockers.length === 0,
    blockers.length === 0
      ? `Group ${group.id}${others.length ? ` (with ${others.join(', ')})` : ''} is viable.`
      : `${address} shares IOMMU group ${group.id} with ${blockers.map((b) => `${b.address} (on ${b.driver})`).join(', ')}; qemu would fail with "group ${group.id} is not viable".`,
    {
      remedy: `Move the whole group to vfio-pci (\`${formatArgv(['sudo', 'passthru', 'assign', address, '--group'])}\`) if the host can spare ${blockers.length > 1 ? 'those devices' : 'that device'}, or choose a device in a group of its own.`,
      code: 'REFUSED',
      fix: formatArgv(['passthru', 'assign', address, '--group']),
    }));
  const node = `/dev/vfio/${group.id}`;
  if (dev.driver === 'vfio-pci') {
    const access = input.fs.accessibleRw(node);
    out.push(check(`nic${i}-vfio-node`, `${title}: ${node} accessible`, access !== false, access === null ? `${node}: access cannot be known for this host tree.` : access ? `${node} can be opened read-write.` : `${node} cannot be opened read-write by this user.`, {
      // $USER is left for the user's shell to expand.
      remedy: `Give it to your user (\`${formatArgv(['sudo', 'passthru', 'assign', address, '--owner'])} "$USER"\`), or start the VM as root.`,
      code: 'REFUSED',
    }));
  }
  const otherVm = input.heldByOtherVms.get(address) ?? [...input.heldByOtherVms.entries()].find(([a]) => others.includes(a))?.[1];
  const holders = group.openBy;
  const free = !otherVm && holders.length === 0;
  out.push(check(`nic${i}-free`, `${title}: not used by another VM`, free,
    free
      ? 'No other VM holds the device or its group.'
      : otherVm
        ? `VM ${otherVm} is running with ${address} or another device of group ${group.id}.`
        : `${node} is held open by ${holders.map((h) => `${h.command} (pid ${h.pid})`).join(', ')}.`,
    { remedy: otherVm ? `Stop it first (\`${formatArgv(['passthru', 'vm', 'stop', otherVm])}\`).` : 'Stop that VM or program first.', code: 'REFUSED' }));
  return out;
}

/** Throws the first failed check as a PassthruError (its remedy included). */
export function assertVmChecks(checks: VmCheck[]): void {
  const failed = checks.find((c) => c.status === 'fail');
  if (!failed) return;
  throw new PassthruError(failed.code, failed.detail, failed.remedy, checks.filter((c) => c.status === 'fail').map((c) => `${c.title}: ${c.detail}`).join('\n'));
}
