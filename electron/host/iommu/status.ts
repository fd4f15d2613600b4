/**
 * BootSetup (detect.ts) → the IommuBootStatus the wizard and the overview show: each finding
 * with its evidence, whether the boot configuration already turns the IOMMU on (the enable
 * plan would change nothing), and what enabling would do. No file contents leave main.
 */
import type { BootFinding, IommuBootStatus } from '#shared/iommu';
import { formatArgv } from '#shared/shell-quote';
import type { BootSetup } from './detect';
import { planIommuEnable, type IommuPlan } from './plan';

/** Arguments Passthru adds (and removes on disable). */
const MANAGED = ['intel_iommu=on', 'amd_iommu=on', 'iommu=pt'];

/** One line: what `iommu enable` would do here. */
export function enableSummary(plan: IommuPlan): string {
  if (plan.refusal) return `Enabling would be refused: ${plan.refusal.message}`;
  if (plan.noop) return 'Nothing to change: the boot configuration already turns the IOMMU on.';
  const files = plan.files.map((f) => `${f.after === null ? 'delete' : f.before === null ? 'create' : 'edit'} ${f.path}`).join(', ');
  const args = plan.argEdits.map((e) => (e.kind === 'add' ? `+${e.arg}` : e.kind === 'remove' ? `-${e.arg}` : `${e.from}→${e.to}`)).join(' ');
  return `Enabling would ${files || 'change nothing on disk'}${args ? ` (${args})` : ''}, then run ${plan.commands.map((c) => formatArgv(c)).join(' && ') || 'nothing'}.`;
}

export function bootFindings(setup: BootSetup): BootFinding[] {
  const { cpu, firmware, distro, boot, kernel, initramfs, cmdline } = setup;
  const cpuName = { intel: 'Intel', amd: 'AMD', unknown: 'Unknown' }[cpu.value];
  return [
    { id: 'cpu', label: 'CPU', value: cpuName, evidence: cpu.evidence, ok: cpu.value !== 'unknown' },
    { id: 'firmware', label: 'Firmware', value: firmware.value === 'uefi' ? 'UEFI' : 'BIOS', evidence: firmware.evidence, ok: true },
    { id: 'system', label: 'System', value: [distro.value.id ?? 'unknown', distro.value.versionId].filter(Boolean).join(' '), evidence: distro.evidence, ok: true },
    boot.ok
      ? { id: 'bootloader', label: 'Bootloader', value: boot.method.label, evidence: boot.evidence.join(' '), ok: true }
      : { id: 'bootloader', label: 'Bootloader', value: 'Not supported', evidence: `${boot.reason} ${boot.evidence.join(' ')}`.trim(), ok: false },
    { id: 'kernel', label: 'Kernel', value: kernel.value.release ?? 'unknown', evidence: kernel.evidence, ok: true },
    { id: 'initramfs', label: 'Initramfs', value: initramfs.value ?? 'none known', evidence: initramfs.evidence, ok: true },
    { id: 'running', label: 'Running command line', value: cmdline.value === null ? 'unreadable' : `${cmdline.value.length} arguments`, evidence: cmdline.evidence, ok: true },
  ];
}

/**
 * The arguments Passthru manages that the enable plan finds already configured: those it would
 * neither add nor replace. Only meaningful when the plan is not refused.
 */
function configuredArgs(plan: IommuPlan, wanted: string[]): string[] {
  const touched = new Set(plan.argEdits.flatMap((e) => (e.kind === 'add' ? [e.arg] : e.kind === 'replace' ? [e.to] : [])));
  return wanted.filter((a) => !touched.has(a));
}

export function iommuBootStatus(setup: BootSetup): IommuBootStatus {
  const enable = planIommuEnable(setup);
  const withPt = planIommuEnable(setup, { pt: true });
  const wantedArgs = setup.cpu.value === 'intel' ? ['intel_iommu=on'] : [];
  const unknown = enable.refusal !== null;
  return {
    findings: bootFindings(setup),
    bootloader: setup.boot.ok ? { supported: true, label: setup.boot.method.label } : { supported: false, reason: setup.boot.reason },
    wantedArgs,
    configured: unknown ? 'unknown' : enable.noop ? 'on' : 'off',
    configuredArgs: unknown ? [] : configuredArgs(withPt, [...wantedArgs, 'iommu=pt']).filter((a) => MANAGED.includes(a)),
    enableSummary: enableSummary(enable),
  };
}
