/**
 * The IOMMU as the IOMMU boot settings wizard and the overview see it: how this machine
 * boots (each conclusion with its evidence), whether its boot configuration already turns the
 * IOMMU on, and — after the reboot — whether the running kernel really did: the command line,
 * /sys/class/iommu, the groups and interrupt remapping, with what is still missing. Pure, so
 * the renderer, the CLI and the tests compute the same verdicts.
 */
import type { HostScan } from './model';

/** One conclusion of the boot detection, shown as label, value and the evidence behind it. */
export interface BootFinding {
  id: 'cpu' | 'firmware' | 'system' | 'bootloader' | 'kernel' | 'initramfs' | 'running';
  label: string;
  value: string;
  evidence: string;
  /** false when this finding stops the wizard (unknown CPU vendor, no or two bootloaders). */
  ok: boolean;
}

export interface IommuBootStatus {
  findings: BootFinding[];
  /** The bootloader Passthru would change, or why it will not. */
  bootloader: { supported: true; label: string } | { supported: false; reason: string };
  /** What turns the IOMMU on for this CPU: ['intel_iommu=on'] on Intel, [] on AMD (on by default). */
  wantedArgs: string[];
  /**
   * Whether the boot configuration on disk turns the IOMMU on: `on` (enabling would change
   * nothing), `off`, or `unknown` (a bootloader or CPU Passthru cannot read).
   */
  configured: 'on' | 'off' | 'unknown';
  /** Arguments Passthru manages that the boot configuration carries now (e.g. iommu=pt). */
  configuredArgs: string[];
  /** One sentence: what enabling would change here. */
  enableSummary: string;
}

export interface VerificationItem {
  id: 'cmdline' | 'units' | 'groups' | 'interrupt-remapping';
  title: string;
  ok: boolean;
  detail: string;
}

export interface IommuVerification {
  /** Every item holds: the IOMMU is on and usable for VFIO. */
  verified: boolean;
  items: VerificationItem[];
  /** What is still missing, in one or two plain sentences (null when verified). */
  missing: string | null;
  /** The boot configuration turns the IOMMU on but the running kernel does not show it yet. */
  rebootPending: boolean;
}

const OFF_ARGS = /^(intel_iommu|amd_iommu|iommu)=off$/;

/** The arguments on the running command line (simple whitespace split is enough for these). */
function runningArgs(scan: HostScan): string[] {
  return (scan.host.cmdline ?? '')
    .trim()
    .split(/\s+/)
    .filter((a) => a !== '');
}

/** What turns the IOMMU on for the scanned CPU, when no boot status says it. */
export function wantedArgsFor(cpuVendor: string | null): string[] {
  return cpuVendor === 'GenuineIntel' ? ['intel_iommu=on'] : [];
}

/**
 * After a reboot: does the running kernel have the IOMMU on, and what is still missing?
 * `status` (the boot configuration) only sharpens the words: a configuration that already
 * turns it on means the reboot has not happened yet.
 */
export function verifyIommu(scan: HostScan, status: IommuBootStatus | null): IommuVerification {
  const { iommu } = scan.host;
  const args = runningArgs(scan);
  const wanted = status?.wantedArgs ?? wantedArgsFor(scan.host.cpu.vendor);
  const absent = wanted.filter((a) => !args.includes(a));
  const off = args.filter((a) => OFF_ARGS.test(a));
  const cmdlineOk = scan.host.cmdline !== null && absent.length === 0 && off.length === 0;
  const items: VerificationItem[] = [
    {
      id: 'cmdline',
      title: 'Running kernel command line',
      ok: cmdlineOk,
      detail:
        scan.host.cmdline === null
          ? '/proc/cmdline could not be read.'
          : off.length > 0
            ? `/proc/cmdline has ${off.join(' ')}, which turns the IOMMU off.`
            : absent.length > 0
              ? `/proc/cmdline lacks ${absent.join(' ')}.`
              : wanted.length > 0
                ? `/proc/cmdline has ${wanted.join(' ')}${args.includes('iommu=pt') ? ' iommu=pt' : ''}.`
                : 'No argument is needed on this CPU, and none turns the IOMMU off.',
    },
    {
      id: 'units',
      title: 'IOMMU units (/sys/class/iommu)',
      ok: iommu.units.length > 0,
      detail: iommu.units.length > 0 ? `${iommu.units.join(', ')} registered.` : '/sys/class/iommu is empty: the kernel found no IOMMU to use.',
    },
    {
      id: 'groups',
      title: 'IOMMU groups',
      ok: iommu.groupCount > 0,
      detail: iommu.groupCount > 0 ? `${iommu.groupCount} group${iommu.groupCount === 1 ? '' : 's'} under /sys/kernel/iommu_groups.` : '/sys/kernel/iommu_groups is empty.',
    },
    {
      id: 'interrupt-remapping',
      title: 'Interrupt remapping',
      ok: iommu.interruptRemapping === true,
      detail:
        iommu.interruptRemapping === true
          ? 'Active (IR- interrupt chips in /proc/interrupts).'
          : iommu.interruptRemapping === null
            ? '/proc/interrupts could not be read.'
            : 'Not active: no IR- interrupt chips in /proc/interrupts.',
    },
  ];
  const verified = items.every((i) => i.ok);
  const rebootPending = !verified && status?.configured === 'on' && !cmdlineOk;
  return { verified, items, missing: verified ? null : missingSentence(items, rebootPending, status), rebootPending };
}

function missingSentence(items: VerificationItem[], rebootPending: boolean, status: IommuBootStatus | null): string {
  const failed = items.filter((i) => !i.ok);
  const first = failed[0] as VerificationItem;
  if (rebootPending) return 'The boot configuration turns the IOMMU on, but this kernel was started before that: reboot.';
  if (first.id === 'cmdline') {
    return status?.configured === 'unknown'
      ? `${first.detail} Passthru cannot change this machine's boot configuration (${status.bootloader.supported ? 'unsupported CPU' : status.bootloader.reason}); add the argument by hand and reboot.`
      : `${first.detail} Turn the IOMMU on with the wizard, then reboot.`;
  }
  if (first.id === 'units' || first.id === 'groups') {
    return `${first.detail} The command line is right, so the firmware is not exposing the IOMMU: enable VT-d / AMD-Vi (sometimes "IOMMU" or "DMA protection") in the firmware setup.`;
  }
  return `${first.detail} VFIO refuses devices without it unless unsafe interrupts are allowed; enable interrupt remapping in the firmware.`;
}
