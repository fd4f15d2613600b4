/**
 * What the Enable-IOMMU wizard needs to know about how this machine boots, each conclusion
 * with the evidence it was drawn from (shown to the user): CPU vendor, firmware mode,
 * distribution, the bootloader and the tool that regenerates its configuration, the running
 * command line and kernel, the initramfs system — and the contents of every file the planner
 * will look at, so that planning is a pure function of this one value. Read-only, through
 * HostFs, so a copied root or a test tree answers like the live host.
 */
import type { HostFs } from '../fs/host-fs';
import { parseCpuinfo } from '../probes/cpuinfo';
import { kernelParams } from '../probes/kernel-cmdline';
import { kernelRelease } from '../probes/sysfs-read';
import { lastAssignment } from './cmdline';
import * as P from './paths';

/** A conclusion and what it rests on, in plain words. */
export interface Finding<T> {
  value: T;
  evidence: string;
}

export type CpuVendor = 'intel' | 'amd' | 'unknown';
export type DistroFamily = 'debian' | 'ubuntu' | 'pop' | 'proxmox' | 'fedora' | 'rhel' | 'arch' | 'opensuse' | 'unknown';
export type InitramfsSystem = 'initramfs-tools' | 'dracut' | 'mkinitcpio';

/** How the kernel command line is configured, and what makes the bootloader pick it up. */
export type BootMethod =
  /** /etc/default/grub (+ grub.d drop-ins when `readsDropIns`), then `regenerate` writes `grubCfg`. */
  | { kind: 'grub'; label: string; readsDropIns: boolean; regenerate: string[]; grubCfg: string }
  /** Fedora/RHEL BLS entries, changed with `grubby --update-kernel=ALL`. */
  | { kind: 'grubby'; label: string; entriesDir: string }
  /** /etc/kernel/cmdline, then `regenerate` (kernel-install per kernel, or proxmox-boot-tool refresh). */
  | { kind: 'kernel-cmdline'; label: string; regenerate: string[][]; entriesDir: string }
  /** Pop!_OS: `kernelstub -a/-d` keeps its configuration and the loader entry in step. */
  | { kind: 'kernelstub'; label: string; entriesDir: string };

export type BootDetection = { ok: true; method: BootMethod; evidence: string[] } | { ok: false; reason: string; evidence: string[] };

export interface BootSetup {
  cpu: Finding<CpuVendor>;
  firmware: Finding<'uefi' | 'bios'>;
  distro: Finding<{ id: string | null; idLike: string[]; versionId: string | null; family: DistroFamily }>;
  boot: BootDetection;
  /** The running kernel's arguments (/proc/cmdline), null when unreadable. */
  cmdline: Finding<string[] | null>;
  /** `needsVfioVirqfd`: kernels before 6.2 have vfio_virqfd as a module of its own. */
  kernel: Finding<{ release: string | null; needsVfioVirqfd: boolean | null }>;
  initramfs: Finding<InitramfsSystem | null>;
  /** Whether mkinitcpio reads /etc/mkinitcpio.conf.d (the directory exists). */
  mkinitcpioDropIns: boolean;
  /** Contents of every file the planner reads, by path (null: absent). */
  files: Record<string, string | null>;
  /**
   * Set when the root is a tree (`--root DIR`), not this machine: where it is, and which boot
   * tools (and `sh`) it has, since the commands then run through `chroot DIR`.
   */
  tree: { root: string; tools: string[] } | null;
}

/** The commands the planner may ask for, and the shell: looked up in a tree's own PATH. */
export const BOOT_TOOLS = [
  'sh',
  'update-grub',
  'grub-mkconfig',
  'grub2-mkconfig',
  'grubby',
  'kernelstub',
  'kernel-install',
  'proxmox-boot-tool',
  'update-initramfs',
  'dracut',
  'mkinitcpio',
];
const TREE_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

const DEBIAN_LIKE: DistroFamily[] = ['debian', 'ubuntu', 'pop', 'proxmox'];

/** Looks at the host under `fs` and says how it boots, with evidence. */
export function detectBootSetup(fs: HostFs): BootSetup {
  const files: Record<string, string | null> = {};
  const read = (path: string): string | null => (files[path] = fs.readText(path));
  const firmware = detectFirmware(fs);
  const distro = detectDistro(fs, read);
  const boot = detectBoot(fs, read, firmware.value, distro.value.family);
  const cmdlineText = read('/proc/cmdline');
  for (const path of [P.MODULES_LOAD_EARLY_VFIO, P.INITRAMFS_TOOLS_MODULES, P.DRACUT_DROPIN, P.MKINITCPIO_CONF, P.MKINITCPIO_DROPIN]) read(path);
  for (const path of [P.GRUB_DEFAULTS, P.KERNEL_CMDLINE, P.INITRAMFS_TOOLS_MODULES, P.MKINITCPIO_CONF]) read(P.backupPathFor(path));
  return {
    cpu: detectCpu(fs),
    firmware,
    distro,
    boot,
    cmdline: {
      value: cmdlineText === null ? null : kernelParams(cmdlineText),
      evidence: cmdlineText === null ? '/proc/cmdline could not be read.' : `/proc/cmdline: ${cmdlineText.trim()}`,
    },
    kernel: detectKernel(fs),
    initramfs: detectInitramfs(fs, distro.value.family),
    mkinitcpioDropIns: fs.isDirectory(P.MKINITCPIO_DROPIN_DIR),
    files,
    tree: fs.root === '/' ? null : { root: fs.root, tools: BOOT_TOOLS.filter((t) => TREE_PATH.some((d) => fs.exists(`${d}/${t}`))) },
  };
}

function detectCpu(fs: HostFs): Finding<CpuVendor> {
  const vendor = parseCpuinfo(fs.readText('/proc/cpuinfo')).vendor;
  const value: CpuVendor = vendor === 'GenuineIntel' ? 'intel' : vendor === 'AuthenticAMD' || vendor === 'HygonGenuine' ? 'amd' : 'unknown';
  return { value, evidence: vendor === null ? '/proc/cpuinfo has no vendor_id.' : `/proc/cpuinfo: vendor_id ${vendor}.` };
}

function detectFirmware(fs: HostFs): Finding<'uefi' | 'bios'> {
  return fs.isDirectory('/sys/firmware/efi')
    ? { value: 'uefi', evidence: '/sys/firmware/efi exists: the kernel was started by UEFI firmware.' }
    : { value: 'bios', evidence: '/sys/firmware/efi does not exist: legacy BIOS boot (or CSM).' };
}

function detectDistro(fs: HostFs, read: (p: string) => string | null): BootSetup['distro'] {
  const text = read('/etc/os-release') ?? read('/usr/lib/os-release');
  const field = (name: string): string | null => (text === null ? null : (lastAssignment(text, name)?.value ?? null));
  const id = field('ID');
  const idLike = (field('ID_LIKE') ?? '').split(/\s+/).filter((s) => s !== '');
  const versionId = field('VERSION_ID');
  // Proxmox VE ships Debian's os-release unchanged; its own tools give it away.
  const proxmox = fs.exists('/usr/bin/pveversion') || fs.isDirectory('/etc/pve');
  const family = proxmox ? 'proxmox' : distroFamily(id, idLike);
  const said = text === null ? 'no /etc/os-release' : `os-release: ID=${id ?? '(none)'}${idLike.length ? ` ID_LIKE="${idLike.join(' ')}"` : ''}`;
  return { value: { id, idLike, versionId, family }, evidence: proxmox ? `${said}, and Proxmox VE tools (pveversion, /etc/pve) are present.` : `${said}.` };
}

function distroFamily(id: string | null, idLike: string[]): DistroFamily {
  const all = [id ?? '', ...idLike];
  if (id === 'pop') return 'pop';
  if (id === 'fedora') return 'fedora';
  if (all.some((x) => ['rhel', 'centos', 'rocky', 'almalinux'].includes(x)) || idLike.includes('fedora')) return 'rhel';
  if (all.includes('arch')) return 'arch';
  if (all.some((x) => x.startsWith('opensuse') || x === 'suse' || x === 'sles')) return 'opensuse';
  if (all.includes('ubuntu')) return 'ubuntu';
  if (all.includes('debian')) return 'debian';
  return 'unknown';
}

function detectKernel(fs: HostFs): BootSetup['kernel'] {
  const release = kernelRelease(fs);
  const m = release === null ? null : /^(\d+)\.(\d+)/.exec(release);
  const needsVfioVirqfd = m ? Number(m[1]) < 6 || (Number(m[1]) === 6 && Number(m[2]) < 2) : null;
  return {
    value: { release, needsVfioVirqfd },
    evidence:
      release === null
        ? '/proc/sys/kernel/osrelease could not be read.'
        : `Running kernel ${release}${needsVfioVirqfd ? ' (before 6.2: vfio_virqfd is a module of its own)' : needsVfioVirqfd === false ? ' (6.2 or later: vfio_virqfd is part of vfio)' : ''}.`,
  };
}

/** The initramfs builder; when several are configured, the distribution's own one wins. */
function detectInitramfs(fs: HostFs, family: DistroFamily): Finding<InitramfsSystem | null> {
  const found: { system: InitramfsSystem; why: string }[] = [];
  if (fs.isDirectory('/etc/initramfs-tools')) found.push({ system: 'initramfs-tools', why: '/etc/initramfs-tools exists' });
  if (fs.exists('/etc/dracut.conf') || fs.isDirectory('/etc/dracut.conf.d')) found.push({ system: 'dracut', why: '/etc/dracut.conf(.d) exists' });
  if (fs.exists(P.MKINITCPIO_CONF)) found.push({ system: 'mkinitcpio', why: `${P.MKINITCPIO_CONF} exists` });
  const native: InitramfsSystem | null = DEBIAN_LIKE.includes(family) ? 'initramfs-tools' : family === 'arch' ? 'mkinitcpio' : family === 'unknown' ? null : 'dracut';
  const why = found.map((f) => f.why).join('; ');
  if (found.length === 0) return { value: null, evidence: 'No initramfs-tools, dracut or mkinitcpio configuration found.' };
  if (found.length === 1) return { value: (found[0] as { system: InitramfsSystem }).system, evidence: `${why}.` };
  const pick = found.find((f) => f.system === native);
  return pick
    ? { value: pick.system, evidence: `${why}; ${pick.system} is this distribution's own, so it is taken to build the initramfs.` }
    : { value: null, evidence: `${why}: more than one initramfs system, and none is this distribution's own.` };
}

/** Where systemd-boot's loader.conf is (the ESP), or null. */
function systemdBootEsp(fs: HostFs): string | null {
  return P.ESP_MOUNTS.find((esp) => fs.exists(`${esp}/loader/loader.conf`)) ?? null;
}

function detectBoot(fs: HostFs, read: (p: string) => string | null, firmware: 'uefi' | 'bios', family: DistroFamily): BootDetection {
  const grubDefaults = read(P.GRUB_DEFAULTS);
  for (const name of fs.list(P.GRUB_DROPIN_DIR).filter((n) => n.endsWith('.cfg'))) read(`${P.GRUB_DROPIN_DIR}/${name}`);
  const kernelCmdline = read(P.KERNEL_CMDLINE);
  const esp = firmware === 'uefi' ? systemdBootEsp(fs) : null;
  const readEntries = (dir: string): void => {
    for (const n of fs.list(dir).filter((x) => x.endsWith('.conf'))) read(`${dir}/${n}`);
  };

  // Tools that drive a bootloader come first: they own the loader's configuration.
  if (firmware === 'uefi' && read(P.KERNELSTUB_CONFIG) !== null) {
    const entriesDir = `${esp ?? '/boot/efi'}/loader/entries`;
    readEntries(entriesDir);
    return {
      ok: true,
      method: { kind: 'kernelstub', label: 'kernelstub (systemd-boot)', entriesDir },
      evidence: [`${P.KERNELSTUB_CONFIG} exists: kernelstub writes the systemd-boot entries.`],
    };
  }
  if (read(P.PROXMOX_BOOT_UUIDS) !== null) {
    const said = `${P.PROXMOX_BOOT_UUIDS} exists: proxmox-boot-tool copies kernels and the command line to the ESPs listed there.`;
    if (firmware === 'uefi' && kernelCmdline !== null) {
      return {
        ok: true,
        method: { kind: 'kernel-cmdline', label: 'proxmox-boot-tool (systemd-boot)', regenerate: [['proxmox-boot-tool', 'refresh']], entriesDir: '(each ESP)/loader/entries' },
        evidence: [said, `UEFI boot with ${P.KERNEL_CMDLINE}: the ESPs boot with systemd-boot, which takes its command line from that file.`],
      };
    }
    return {
      ok: true,
      method: { kind: 'grub', label: 'proxmox-boot-tool (GRUB)', readsDropIns: true, regenerate: ['proxmox-boot-tool', 'refresh'], grubCfg: '/boot/grub/grub.cfg' },
      evidence: [said, `${firmware === 'bios' ? 'Legacy BIOS boot' : `No ${P.KERNEL_CMDLINE}`}: the ESPs boot with GRUB, configured through ${P.GRUB_DEFAULTS}.`],
    };
  }

  const candidates: { method: BootMethod; evidence: string[] }[] = [];
  const evidence: string[] = [];
  if (grubDefaults !== null) {
    const grub = detectGrub(fs, grubDefaults, family, read);
    if ('method' in grub) candidates.push(grub);
    else evidence.push(grub.problem);
  } else {
    evidence.push(`No ${P.GRUB_DEFAULTS}: not GRUB (or not configured the usual way).`);
  }
  if (esp !== null) {
    const sd = detectSystemdBoot(fs, esp, kernelCmdline, read);
    readEntries(`${esp}/loader/entries`);
    if ('method' in sd) candidates.push(sd);
    else evidence.push(sd.problem);
  } else {
    evidence.push(firmware === 'uefi' ? 'No loader/loader.conf on /boot/efi, /efi or /boot: not systemd-boot.' : 'Legacy BIOS boot: systemd-boot needs UEFI.');
  }
  if (candidates.length === 1) return { ok: true, ...(candidates[0] as { method: BootMethod; evidence: string[] }) };
  if (candidates.length > 1) {
    return {
      ok: false,
      reason: `Both ${candidates.map((c) => c.method.label).join(' and ')} look configured; changing the wrong one would do nothing (or break the other). Check which one starts this machine (bootctl status, efibootmgr -v) and remove the leftover.`,
      evidence: candidates.flatMap((c) => c.evidence),
    };
  }
  return { ok: false, reason: 'No bootloader Passthru knows how to configure was found (GRUB, systemd-boot, kernelstub, proxmox-boot-tool).', evidence };
}

type Candidate = { method: BootMethod; evidence: string[] } | { problem: string };

function detectGrub(fs: HostFs, defaults: string, family: DistroFamily, read: (p: string) => string | null): Candidate {
  const bls = lastAssignment(defaults, 'GRUB_ENABLE_BLSCFG')?.value === 'true';
  const found = `${P.GRUB_DEFAULTS} exists`;
  if ((family === 'fedora' || family === 'rhel') && bls && fs.isDirectory(P.BLS_ENTRIES)) {
    for (const n of fs.list(P.BLS_ENTRIES).filter((x) => x.endsWith('.conf'))) read(`${P.BLS_ENTRIES}/${n}`);
    return {
      method: { kind: 'grubby', label: 'GRUB with BLS entries (grubby)', entriesDir: P.BLS_ENTRIES },
      evidence: [`${found} with GRUB_ENABLE_BLSCFG=true and ${P.BLS_ENTRIES} holds the boot entries: grubby edits them.`],
    };
  }
  const grubCfg = grubCfgPath(fs, read);
  if (grubCfg === null)
    return { problem: `${found}, but no generated grub.cfg (/boot/grub/grub.cfg, /boot/grub2/grub.cfg, /boot/efi/EFI/*/grub.cfg): GRUB looks like a leftover.` };
  if (DEBIAN_LIKE.includes(family)) {
    return {
      method: { kind: 'grub', label: 'GRUB (update-grub)', readsDropIns: true, regenerate: ['update-grub'], grubCfg },
      evidence: [`${found} and ${grubCfg}; on this Debian-family system update-grub regenerates it and reads ${P.GRUB_DROPIN_DIR}/*.cfg.`],
    };
  }
  if (family === 'unknown') return { problem: `${found} and ${grubCfg}, but the distribution is unknown, so the command that regenerates grub.cfg is too.` };
  const tool = family === 'arch' ? 'grub-mkconfig' : 'grub2-mkconfig';
  return {
    method: { kind: 'grub', label: `GRUB (${tool})`, readsDropIns: false, regenerate: [tool, '-o', grubCfg], grubCfg },
    evidence: [`${found} and ${grubCfg}; ${tool} regenerates it. Its ${tool} reads only ${P.GRUB_DEFAULTS} (no ${P.GRUB_DROPIN_DIR}: that is a Debian addition).`],
  };
}

/**
 * The grub.cfg that grub-mkconfig must write. /boot/grub{2,}/grub.cfg first: on Fedora ≥ 34
 * and openSUSE the one on the ESP is a stub that `configfile`s the real one, and overwriting
 * it with a full configuration breaks booting.
 */
function grubCfgPath(fs: HostFs, read: (p: string) => string | null): string | null {
  for (const p of ['/boot/grub2/grub.cfg', '/boot/grub/grub.cfg']) if (fs.exists(p)) return p;
  for (const dir of fs.list('/boot/efi/EFI')) {
    const p = `/boot/efi/EFI/${dir}/grub.cfg`;
    const text = read(p);
    if (text !== null && !/^\s*configfile\b/m.test(text)) return p;
  }
  return null;
}

function detectSystemdBoot(fs: HostFs, esp: string, kernelCmdline: string | null, read: (p: string) => string | null): Candidate {
  const entriesDir = `${esp}/loader/entries`;
  const found = `${esp}/loader/loader.conf exists: systemd-boot is installed on the ESP at ${esp}`;
  const machineId = (read('/etc/machine-id') ?? '').trim();
  const entries = fs.list(entriesDir).filter((n) => n.endsWith('.conf'));
  const generated = machineId !== '' && entries.some((n) => n.startsWith(`${machineId}-`));
  if (kernelCmdline === null && !generated) {
    return {
      problem: `${found}, but its entries (${entries.join(', ') || 'none'}) are written by hand and there is no ${P.KERNEL_CMDLINE}: add the arguments to the "options" line of the entry you boot.`,
    };
  }
  const kernels = fs.list('/usr/lib/modules').filter((v) => fs.exists(`/usr/lib/modules/${v}/vmlinuz`));
  return {
    method: {
      kind: 'kernel-cmdline',
      label: 'systemd-boot (kernel-install)',
      entriesDir,
      regenerate: kernels.map((v) => ['kernel-install', 'add', v, `/usr/lib/modules/${v}/vmlinuz`]),
    },
    evidence: [
      `${found}; ${kernelCmdline !== null ? `${P.KERNEL_CMDLINE} holds the command line` : `its entries are named after /etc/machine-id (kernel-install made them), which reads ${P.KERNEL_CMDLINE}`}; kernel-install rewrites the entries of ${kernels.length ? kernels.join(', ') : 'no kernel found under /usr/lib/modules'}.`,
    ],
  };
}

/** Assignments of the GRUB files in the order update-grub / grub-mkconfig source them. */
export function grubSources(setup: BootSetup, withDropIns: boolean): { path: string; text: string }[] {
  const paths = [
    P.GRUB_DEFAULTS,
    ...(withDropIns
      ? Object.keys(setup.files)
          .filter((p) => p.startsWith(`${P.GRUB_DROPIN_DIR}/`))
          .sort()
      : []),
  ];
  return paths.flatMap((path) => {
    const text = setup.files[path];
    return text === null || text === undefined ? [] : [{ path, text }];
  });
}
