/**
 * Finds what the lab needs on this machine — a qemu with igb and intel-iommu, a Debian kernel
 * with its modules, a static busybox, udev — and fails with one sentence naming the Debian
 * package to install when something is missing. The lab installs nothing itself.
 */
import { accessSync, constants, existsSync, openSync, readSync, closeSync, readdirSync } from 'node:fs';
import { which } from '../support/which';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export class LabPrerequisiteError extends Error {
  override name = 'LabPrerequisiteError';
}

export interface LabHostTools {
  qemu: string;
  kernelImage: string;
  kernelVersion: string;
  modulesDir: string;
  busybox: string;
  /** `setpriv` makes qemu die with us (parent-death signal); null when util-linux lacks it. */
  setpriv: string | null;
}

const INSTALL_HINT = 'run .ci/install-system-packages (or see e2e/lab/README.md)';

/** True when the ELF file asks for a dynamic loader (PT_INTERP): unusable inside the initramfs. */
function isDynamicElf(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2) return false; // not ELF64: let it fail later
    const phoff = Number(head.readBigUInt64LE(32));
    const phentsize = head.readUInt16LE(54);
    const phnum = head.readUInt16LE(56);
    const ph = Buffer.alloc(phentsize * phnum);
    readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (ph.readUInt32LE(i * phentsize) === 3 /* PT_INTERP */) return true;
    return false;
  } finally {
    closeSync(fd);
  }
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * The guest kernel: $LAB_KERNEL if set, else the newest /boot/vmlinuz-* whose modules are
 * installed (the guest loads drivers from this machine's /lib/modules over 9p).
 */
function findKernel(): { image: string; version: string; modulesDir: string } {
  const forced = process.env.LAB_KERNEL;
  const candidates = forced
    ? [forced]
    : readdirSafe('/boot')
        .filter((f) => f.startsWith('vmlinuz-'))
        .map((f) => `/boot/${f}`)
        .sort((x, y) => compareVersions(y.slice(14), x.slice(14)));
  for (const image of candidates) {
    const version = path.basename(image).replace(/^vmlinuz-/, '');
    const modulesDir = `/lib/modules/${version}`;
    if (!existsSync(`${modulesDir}/modules.dep`)) continue;
    try {
      accessSync(image, constants.R_OK);
    } catch {
      throw new LabPrerequisiteError(`Cannot read the kernel image ${image}: run the lab as root, or copy the image somewhere readable and point LAB_KERNEL at it.`);
    }
    return { image, version, modulesDir };
  }
  throw new LabPrerequisiteError(
    `No kernel with installed modules found in /boot${forced ? ` (LAB_KERNEL=${forced})` : ''}: install the Debian package linux-image-amd64 (${INSTALL_HINT}).`,
  );
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

let cached: LabHostTools | null = null;

/** Checks every prerequisite once per process; throws LabPrerequisiteError with the remedy. */
export function findLabHostTools(): LabHostTools {
  if (cached) return cached;
  const qemu = process.env.LAB_QEMU ?? which('qemu-system-x86_64');
  if (qemu && process.env.LAB_QEMU) {
    try {
      accessSync(qemu, constants.X_OK);
    } catch {
      throw new LabPrerequisiteError(`LAB_QEMU=${qemu} is not an executable file.`);
    }
  }
  if (!qemu) throw new LabPrerequisiteError(`qemu-system-x86_64 not found: install qemu-system-x86 from bookworm-backports (qemu ≥ 8 for igb; ${INSTALL_HINT}).`);
  const devices = execFileSync(qemu, ['-device', 'help'], { encoding: 'utf8', timeout: 20_000 });
  for (const dev of ['igb', 'e1000e', 'intel-iommu', 'pcie-root-port', 'pcie-pci-bridge', 'virtio-9p-pci']) {
    if (!devices.includes(`"${dev}"`)) {
      throw new LabPrerequisiteError(`${qemu} lacks the ${dev} device: install qemu-system-x86 from bookworm-backports (qemu ≥ 8; ${INSTALL_HINT}).`);
    }
  }
  const kernel = findKernel();
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (!busybox) throw new LabPrerequisiteError(`busybox not found: install the Debian package busybox-static (${INSTALL_HINT}).`);
  if (isDynamicElf(busybox)) throw new LabPrerequisiteError(`${busybox} is dynamically linked and cannot run in the initramfs: install busybox-static instead of busybox.`);
  for (const [tool, pkg] of [
    ['lspci', 'pciutils'],
    ['ip', 'iproute2'],
    ['modprobe', 'kmod'],
    ['udevadm', 'udev'],
  ] as const) {
    if (!which(tool)) throw new LabPrerequisiteError(`${tool} not found (the guest uses this machine's tools): install the Debian package ${pkg} (${INSTALL_HINT}).`);
  }
  if (!existsSync('/lib/systemd/systemd-udevd') && !existsSync('/usr/lib/systemd/systemd-udevd')) {
    throw new LabPrerequisiteError(`systemd-udevd not found (the guest loads drivers and names NICs with it): install the Debian package udev (${INSTALL_HINT}).`);
  }
  if (!existsSync('/usr/share/misc/pci.ids') && !existsSync('/usr/share/hwdata/pci.ids')) {
    throw new LabPrerequisiteError(`pci.ids not found: install the Debian package hwdata (${INSTALL_HINT}).`);
  }
  cached = {
    qemu,
    kernelImage: kernel.image,
    kernelVersion: kernel.version,
    modulesDir: kernel.modulesDir,
    busybox,
    setpriv: which('setpriv'),
  };
  return cached;
}
