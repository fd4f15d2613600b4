/**
 * What a VM start needs to know about this machine beyond the scan: whether KVM is usable
 * (opening /dev/kvm read-write is the real test — the file may exist for another user only),
 * where OVMF's files are (distributions put them in different places), and this process's
 * locked-memory limit, which VFIO needs to cover all guest RAM.
 */
import { closeSync, constants, copyFileSync, existsSync, openSync, readFileSync } from 'node:fs';
import { makeDirs } from '../fs/make-dirs';
import { dirname } from 'node:path';
import { PassthruError } from '#shared/errors';
import type { FirmwareFiles } from './qemu-argv';

/** Whether this process can open /dev/kvm read-write (what qemu -accel kvm does). */
export function kvmUsable(path = '/dev/kvm'): boolean {
  try {
    closeSync(openSync(path, constants.O_RDWR));
    return true;
  } catch {
    return false;
  }
}

/**
 * Code/vars pairs in order of preference: Debian/Ubuntu (4 MiB first), Fedora/RHEL, Arch,
 * openSUSE, Gentoo/NixOS-style. Secure-boot builds are left out: they need SMM and enrolled
 * keys, which a plain profile does not set up.
 */
export const OVMF_CANDIDATES: FirmwareFiles[] = [
  { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd' },
  { code: '/usr/share/OVMF/OVMF_CODE.fd', vars: '/usr/share/OVMF/OVMF_VARS.fd' },
  { code: '/usr/share/edk2/ovmf/OVMF_CODE.fd', vars: '/usr/share/edk2/ovmf/OVMF_VARS.fd' },
  { code: '/usr/share/edk2/x64/OVMF_CODE.4m.fd', vars: '/usr/share/edk2/x64/OVMF_VARS.4m.fd' },
  { code: '/usr/share/edk2/x64/OVMF_CODE.fd', vars: '/usr/share/edk2/x64/OVMF_VARS.fd' },
  { code: '/usr/share/qemu/ovmf-x86_64-code.bin', vars: '/usr/share/qemu/ovmf-x86_64-vars.bin' },
  { code: '/usr/share/edk2-ovmf/x64/OVMF_CODE.fd', vars: '/usr/share/edk2-ovmf/x64/OVMF_VARS.fd' },
  { code: '/usr/share/edk2-ovmf/OVMF_CODE.fd', vars: '/usr/share/edk2-ovmf/OVMF_VARS.fd' },
];

/** The first installed OVMF pair, or null. */
export function findOvmf(exists: (p: string) => boolean = existsSync): FirmwareFiles | null {
  return OVMF_CANDIDATES.find((c) => exists(c.code) && exists(c.vars)) ?? null;
}

/**
 * OVMF's files for one VM: the shared code, and the VM's own variable store (copied from the
 * template once, then kept — it holds the boot entries the guest writes).
 */
export function prepareOvmf(varsFile: string, found: FirmwareFiles | null = findOvmf()): FirmwareFiles {
  if (!found) {
    throw new PassthruError(
      'ENVIRONMENT',
      'The VM uses UEFI firmware (OVMF), which is not installed.',
      'Install it (Debian/Ubuntu: `apt install ovmf`; Fedora: `dnf install edk2-ovmf`; Arch: `pacman -S edk2-ovmf`), or use --firmware seabios.',
    );
  }
  if (!existsSync(varsFile)) {
    makeDirs(dirname(varsFile), 0o700);
    copyFileSync(found.vars, varsFile, constants.COPYFILE_EXCL);
  }
  return { code: found.code, vars: varsFile };
}

export interface MemlockLimit {
  /** Soft RLIMIT_MEMLOCK in bytes; null = unlimited. */
  bytes: number | null;
  /** CAP_IPC_LOCK in the effective set: the limit does not apply (root usually). */
  capIpcLock: boolean;
}

/** RLIMIT_MEMLOCK of `pid` from /proc/PID/limits, and whether it has CAP_IPC_LOCK. */
export function readMemlock(pid: number | 'self' = 'self', read: (p: string) => string | null = readOrNull): MemlockLimit {
  const limits = read(`/proc/${pid}/limits`) ?? '';
  const m = /^Max locked memory\s+(\S+)/m.exec(limits);
  const bytes = !m || m[1] === 'unlimited' ? null : Number(m[1]);
  const cap = /^CapEff:\s*([0-9a-f]+)/m.exec(read(`/proc/${pid}/status`) ?? '');
  // CAP_IPC_LOCK is capability 14.
  const capIpcLock = cap ? (BigInt(`0x${cap[1]}`) & (1n << 14n)) !== 0n : false;
  return { bytes: Number.isFinite(bytes) ? bytes : null, capIpcLock };
}

/**
 * Bytes VFIO will pin: all guest RAM plus qemu's usual allowance for ROMs and MMIO (libvirt
 * uses guest memory + 1 GiB as the hard limit for a VM with host devices).
 */
export function memlockNeeded(memoryMiB: number): number {
  return (memoryMiB + 1024) * 1024 * 1024;
}

function readOrNull(p: string): string | null {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}
