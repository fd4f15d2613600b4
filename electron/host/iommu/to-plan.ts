/**
 * IommuPlan (plan.ts) → the shared Plan every change goes through: one step, one
 * apply-boot-config op carrying only the intent and the digest of what the user is shown
 * (the executor plans again itself), the equivalent root shell lines, the new file contents
 * and the unified diffs for the preview, and the inverse as undo.
 */
import type { IommuIntent, OpCall, Plan, PlanStep } from '#shared/plan';
import { formatArgv, writeFileLine } from '#shared/shell-quote';
import type { BootSetup } from './detect';
import { bootConfigDigest } from './digest';
import { isRestorableArg, type IommuPlan } from './plan';
import * as P from './paths';

export interface IommuPlanMeta {
  planId: string;
  now: string;
}

/** Files the shell reads as code: checked with `sh -n` after writing. */
export function isShellFile(path: string): boolean {
  return path === P.GRUB_DEFAULTS || (path.startsWith(`${P.GRUB_DROPIN_DIR}/`) && path.endsWith('.cfg') && !path.slice(P.GRUB_DROPIN_DIR.length + 1).includes('/'));
}

export function inverseIntent(intent: IommuIntent, plan: IommuPlan): IommuIntent {
  const vfioFiles = [P.INITRAMFS_TOOLS_MODULES, P.DRACUT_DROPIN, P.MKINITCPIO_CONF, P.MKINITCPIO_DROPIN, P.MODULES_LOAD_EARLY_VFIO];
  if (intent.action === 'enable') {
    // Exactly what this enable added: what was there before stays after the undo.
    const added = plan.argEdits.flatMap((e) => (e.kind === 'add' ? [e.arg] : e.kind === 'replace' ? [e.to] : []));
    // …and what it took out (an intel_iommu=off it replaced) goes back.
    const removed = plan.argEdits.flatMap((e) => (e.kind === 'remove' ? [e.arg] : e.kind === 'replace' ? [e.from] : [])).filter(isRestorableArg);
    const earlyVfio = plan.files.some((f) => vfioFiles.includes(f.path));
    return { action: 'disable', pt: false, earlyVfio, only: added, ...(removed.length ? { restore: removed } : {}) };
  }
  // Undoing a disable turns back on what it removed.
  const removed = plan.argEdits.flatMap((e) => (e.kind === 'remove' ? [e.arg] : []));
  return { action: 'enable', pt: removed.includes('iommu=pt'), earlyVfio: plan.files.some((f) => vfioFiles.includes(f.path)) };
}

function writeLines(path: string, content: string | null): string[] {
  if (content === null) return [formatArgv(['rm', '-f', path])];
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  return [formatArgv(['mkdir', '-p', dir]), writeFileLine(path, content)];
}

function checkLines(plan: IommuPlan, pick: 'before' | 'after'): string[] {
  return plan.files.filter((f) => isShellFile(f.path) && f[pick] !== null).map((f) => formatArgv(['sh', '-n', f.path]));
}

/** The root shell lines that do what the op does. */
export function iommuShell(plan: IommuPlan): string[] {
  const backups = plan.backups.flatMap((b) => [
    formatArgv(['mkdir', '-p', '-m', '0700', b.backup.slice(0, b.backup.lastIndexOf('/'))]),
    formatArgv(['cp', '-p', b.path, b.backup]),
  ]);
  return [...backups, ...plan.files.flatMap((f) => writeLines(f.path, f.after)), ...checkLines(plan, 'after'), ...plan.commands.map((argv) => formatArgv(argv))];
}

/**
 * The shell lines that put the files back as they were before the op, then reverse the
 * commands (plan.undoCommands: the regeneration again, or the opposite grubby/kernelstub edits).
 */
export function iommuUndoShell(plan: IommuPlan): string[] {
  const restore = plan.files.flatMap((f) => {
    const backup = plan.backups.find((b) => b.path === f.path);
    return backup ? [formatArgv(['cp', '-p', backup.backup, f.path])] : writeLines(f.path, f.before);
  });
  return [...restore, ...plan.undoCommands.map((argv) => formatArgv(argv))];
}

function stepTitle(setup: BootSetup, plan: IommuPlan, intent: IommuIntent): string {
  const label = setup.boot.ok ? setup.boot.method.label : 'the bootloader';
  const args = plan.argEdits.map((e) => (e.kind === 'add' ? `+${e.arg}` : e.kind === 'remove' ? `-${e.arg}` : `${e.from}→${e.to}`)).join(' ');
  const what = intent.action === 'enable' ? 'Turn the IOMMU on' : 'Remove the IOMMU arguments Passthru adds';
  return `${what} in the boot configuration (${label})${args ? `: ${args}` : ''}`;
}

/** Whether a refusal is about this machine (no bootloader or CPU Passthru knows) rather than safety. */
function refusalCode(plan: IommuPlan): 'ENVIRONMENT' | 'REFUSED' {
  const failed = plan.checks.filter((c) => c.status === 'fail').map((c) => c.id);
  return failed.length > 0 && failed.every((id) => id === 'bootloader' || id === 'cpu') ? 'ENVIRONMENT' : 'REFUSED';
}

export function iommuToPlan(setup: BootSetup, plan: IommuPlan, intent: IommuIntent, meta: IommuPlanMeta): Plan {
  const base: Plan = {
    id: meta.planId,
    kind: 'iommu',
    createdAt: meta.now,
    target: '',
    devices: [],
    force: false,
    checks: plan.checks,
    refusal: plan.refusal ? { message: plan.refusal.message, remedy: plan.refusal.remedy, forceable: false, confirmText: null, code: refusalCode(plan) } : null,
    noop: plan.refusal === null && plan.noop,
    steps: [],
    original: {},
    detail: {
      kind: 'iommu',
      ...intent,
      rebootNeeded: plan.rebootNeeded,
      ...(plan.manual ? { manualSteps: plan.manual.steps.map((argv) => formatArgv(argv)) } : {}),
    },
  };
  if (plan.refusal || plan.noop) return base;
  const op: OpCall = { verb: 'apply-boot-config', intent, digest: bootConfigDigest(plan) };
  const undo: OpCall = { verb: 'apply-boot-config', intent: inverseIntent(intent, plan), digest: null };
  const verify = [
    ...plan.files.map((f) => (f.after === null ? `${f.path} is gone` : `${f.path} holds the new contents`)),
    ...(plan.manual ? [`the commands are yours to run (${plan.manual.reason.replace(/\.$/, '')})`] : plan.verify.map((v) => v.what)),
  ].join('; ');
  const step: PlanStep = {
    id: 'boot-config',
    title: stepTitle(setup, plan, intent),
    op,
    shell: iommuShell(plan),
    verify: `${verify}.${plan.rebootNeeded ? ' The running kernel sees it after a reboot.' : ''}`,
    undo,
    undoShell: iommuUndoShell(plan),
    files: plan.files.flatMap((f) => (f.after === null ? [] : [{ path: f.path, content: f.after }])),
    diffs: plan.files.map((f) => ({ path: f.path, unifiedDiff: f.unifiedDiff })),
    backups: plan.backups,
  };
  return { ...base, steps: [step] };
}
