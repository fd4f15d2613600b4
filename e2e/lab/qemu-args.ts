/**
 * Turns a scenario into qemu's argv (an array, never a shell string). Pure, so the command
 * line can be unit-tested and printed (`npm run lab -- --scenario NAME --print-qemu`).
 */
import type { LabNic, Scenario } from './scenarios';

export interface PortForward {
  /** Port on the host's 127.0.0.1. */
  hostPort: number;
  /** Port of the service inside the guest (reached at the management address). */
  guestPort: number;
}

export interface QemuArgsInput {
  scenario: Scenario;
  kernelImage: string;
  initramfs: string;
  /** Host directory shared read-write as the guest's /lab/io (boot.conf, command I/O, share). */
  ioDir: string;
  /** Unix socket (listened on by the host) that becomes the guest's /dev/ttyS1. */
  controlSocket: string;
  /** Unix socket for QMP, for later use (hot-plug, link state, inspection). */
  qmpSocket: string;
  cpus: number;
  memoryMb?: number;
  forwards?: PortForward[];
  /** Console on this process's terminal (interactive mode; boot.conf starts the shell). */
  interactive?: boolean;
  extraKernelArgs?: string[];
}

/** qemu option values are comma-separated: a literal comma is written twice. */
export function qemuEscape(value: string): string {
  return value.replace(/,/g, ',,');
}

/**
 * What a real host's command line would hold; the lab's own settings travel in boot.conf on
 * the share instead, so scans and fixtures show a clean /proc/cmdline.
 */
export function kernelArgs(input: QemuArgsInput): string[] {
  return [
    'console=ttyS0',
    // Reboot at once on a panic; with -no-reboot qemu then exits and the host reports it.
    'panic=-1',
    'loglevel=4',
    // A periodic local-APIC tick instead of one-shot/TSC-deadline timers: under TCG a lost
    // one-shot timer interrupt left an idle vCPU asleep for good (RCU stalls, then the whole
    // guest hung, in about one run of five); a periodic timer re-arms itself.
    'nohz=off',
    'highres=off',
    ...(input.scenario.iommu ? ['intel_iommu=on'] : []),
    ...(input.extraKernelArgs ?? []),
  ];
}

function nicArgs(nic: LabNic, forwards: PortForward[]): string[] {
  const netdev = [`user`, `id=net-${nic.id}`, 'restrict=on'];
  if (nic.management) {
    for (const f of forwards) netdev.push(`hostfwd=tcp:127.0.0.1:${f.hostPort}-:${f.guestPort}`);
  }
  const device = [nic.model, `netdev=net-${nic.id}`, `mac=${nic.mac}`, `bus=${nic.bus}`, `id=${nic.id}`];
  if (nic.addr) device.push(`addr=${nic.addr}`);
  return ['-netdev', netdev.join(','), '-device', device.join(',')];
}

/**
 * An Intel host, like the original write-up (intel-iommu is VT-d). TCG cannot emulate VMX,
 * so the guest honestly has no VT-x and no /dev/kvm; TCG's default vendor would be AMD with
 * SVM, which mixed with VT-d would make the readiness verdicts and remedies incoherent.
 */
export const DEFAULT_CPU = 'max,vendor=GenuineIntel,-svm';

export function buildQemuArgs(input: QemuArgsInput): string[] {
  const { scenario } = input;
  const args = [
    '-accel',
    'tcg',
    '-machine',
    scenario.iommu ? 'q35,kernel-irqchip=split' : 'q35',
    '-cpu',
    scenario.cpu ?? DEFAULT_CPU,
    '-smp',
    String(input.cpus),
    '-m',
    String(input.memoryMb ?? scenario.memoryMb),
    '-nodefaults',
    '-display',
    'none',
    '-no-reboot',
    '-kernel',
    input.kernelImage,
    '-initrd',
    input.initramfs,
    '-append',
    kernelArgs(input).join(' '),
    // Serial 0: the console (qemu's stdio). Serial 1: the agent's control line.
    '-chardev',
    input.interactive ? 'stdio,id=console,mux=on,signal=off' : 'stdio,id=console,signal=off',
    '-serial',
    'chardev:console',
    ...(input.interactive ? ['-mon', 'chardev=console,mode=readline'] : []),
    '-chardev',
    `socket,id=control,path=${qemuEscape(input.controlSocket)}`,
    '-serial',
    'chardev:control',
    '-qmp',
    `unix:${qemuEscape(input.qmpSocket)},server=on,wait=off`,
  ];
  // The IOMMU must come before the PCI devices it translates for.
  if (scenario.iommu) args.push('-device', 'intel-iommu,intremap=on,caching-mode=on');
  args.push(
    '-fsdev',
    `local,id=fs-hostroot,path=/,security_model=none,readonly=on,multidevs=remap`,
    '-device',
    'virtio-9p-pci,fsdev=fs-hostroot,mount_tag=hostroot,bus=pcie.0,addr=0x10',
    '-fsdev',
    `local,id=fs-labio,path=${qemuEscape(input.ioDir)},security_model=none,multidevs=remap`,
    '-device',
    'virtio-9p-pci,fsdev=fs-labio,mount_tag=labio,bus=pcie.0,addr=0x11',
  );
  let chassis = 1;
  for (const b of scenario.bridges) {
    const opts = [b.kind, `id=${b.id}`, `bus=${b.bus}`];
    if (b.addr) opts.push(`addr=${b.addr}`);
    if (b.kind === 'pcie-root-port') opts.push(`chassis=${chassis}`, `slot=${chassis++}`);
    args.push('-device', opts.join(','));
  }
  for (const nic of scenario.nics) args.push(...nicArgs(nic, input.forwards ?? []));
  return args;
}
