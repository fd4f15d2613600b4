/**
 * `passthru vm create` arguments → a validated VmProfile. Every value is checked here with a
 * plain-sentence BAD_INPUT (exit 2) before the schema sees it: numbers, the NIC specs, disk
 * files (which must exist; their format is read from the file's magic), and passthrough
 * addresses, which must name a device the host scan really has.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { PassthruError } from '#shared/errors';
import type { HostScan } from '#shared/model';
import { vmProfileSchema, IFNAME_PATTERN, type VmDisk, type VmNic, type VmProfile } from '#shared/vm';
import type { ParsedArgs } from '../command-line';
import { normalizePciAddress } from '#shared/pci-address';

function bad(message: string, remedy = 'See `passthru vm --help`.'): PassthruError {
  return new PassthruError('BAD_INPUT', message, remedy);
}

function integer(value: string | boolean | undefined, what: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw bad(`${what} must be a whole number, not ${JSON.stringify(value)}.`);
  const n = Number(value);
  if (n < min || n > max) throw bad(`${what} must be between ${min} and ${max}, not ${n}.`);
  return n;
}

/** `nat`, `bridge:BR` or `passthrough:ADDRESS`. */
export function parseNicSpec(spec: string): VmNic {
  if (spec === 'nat') return { kind: 'nat' };
  const colon = spec.indexOf(':');
  const kind = colon === -1 ? spec : spec.slice(0, colon);
  const arg = colon === -1 ? '' : spec.slice(colon + 1);
  if (kind === 'bridge') {
    if (!IFNAME_PATTERN.test(arg)) throw bad(`--nic bridge:${arg}: ${JSON.stringify(arg)} is not a bridge name (up to 15 letters, digits, dots, dashes or underscores).`);
    return { kind: 'bridge', bridge: arg };
  }
  if (kind === 'passthrough') {
    const address = normalizePciAddress(arg);
    if (!address) throw bad(`--nic passthrough:${arg}: ${JSON.stringify(arg)} is not a PCI address such as 0000:01:00.0.`);
    return { kind: 'passthrough', address };
  }
  throw bad(`--nic ${JSON.stringify(spec)} is not a NIC: give nat, bridge:BRIDGE or passthrough:ADDRESS.`);
}

/** qcow2 images start with "QFI\xfb"; anything else is used raw. */
export function detectDiskFormat(path: string): VmDisk['format'] {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const n = readSync(fd, buf, 0, 4, 0);
    return n === 4 && buf.equals(Buffer.from([0x51, 0x46, 0x49, 0xfb])) ? 'qcow2' : 'raw';
  } finally {
    closeSync(fd);
  }
}

function existingFile(value: string, what: string): string {
  if (value === '') throw bad(`${what} is empty.`);
  const path = resolve(value);
  if (/[\0\n\r]/.test(path)) throw bad(`${what} ${JSON.stringify(value)} contains a line break.`);
  if (!existsSync(path)) throw bad(`${what} ${path} does not exist.`, 'Give an existing file (create a disk with `qemu-img create -f qcow2 PATH 20G`).');
  if (!statSync(path).isFile()) throw bad(`${what} ${path} is not a regular file.`);
  return path;
}

function choice<T extends string>(value: string | boolean | undefined, what: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw bad(`${what} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}.`);
  return value as T;
}

/**
 * The profile `vm create NAME …` describes. `scan` resolves passthrough addresses (only
 * loaded when one is given).
 */
export async function profileFromArgs(name: string, args: ParsedArgs, scan: () => Promise<HostScan>): Promise<VmProfile> {
  const v = args.values;
  const nics = (args.lists?.nic ?? []).map(parseNicSpec);
  if (nics.some((n) => n.kind === 'passthrough')) {
    const host = await scan();
    for (const n of nics) {
      if (n.kind !== 'passthrough') continue;
      if (!host.devices.some((d) => d.address === n.address)) throw bad(`There is no PCI device ${n.address} on this host.`, 'See the addresses with `passthru scan`.');
      if (nics.filter((m) => m.kind === 'passthrough' && m.address === n.address).length > 1) throw bad(`${n.address} is given twice.`);
    }
  }
  const disks = (args.lists?.disk ?? []).map((d) => {
    const path = existingFile(d, 'The disk');
    return { path, format: detectDiskFormat(path) };
  });
  const profile = {
    name,
    cpus: integer(v.cpus, '--cpus', 2, 1, 256),
    memoryMiB: integer(v.memory, '--memory (MiB)', 2048, 16, 16 * 1024 * 1024),
    firmware: choice(v.firmware, '--firmware', ['seabios', 'ovmf'] as const, 'seabios'),
    machine: 'q35' as const,
    disks,
    iso: typeof v.iso === 'string' ? existingFile(v.iso, 'The ISO') : null,
    display: choice(v.display, '--display', ['none', 'vnc', 'window'] as const, 'none'),
    nics,
    createdAt: new Date().toISOString(),
  };
  const r = vmProfileSchema.safeParse(profile);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw bad(`${issue?.path.join('.') || 'The VM'}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}
