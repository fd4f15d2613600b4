/** iommu: the IOMMU kernel arguments in the boot configuration this machine really uses, on or off. */
import * as z from 'zod/mini';
import type { Plan } from '#shared/plan';
import { detectBootSetup } from '../../iommu/detect';
import { planIommuDisable, planIommuEnable } from '../../iommu/plan';
import { iommuToPlan } from '../../iommu/to-plan';
import { defineChangeKind } from '../change-kind';
import { checkLines, refusalLine } from '../plan-text';

/** The plan in full: checks, every file's unified diff, the backups, the commands. */
function formatIommuPlan(plan: Plan): string {
  const detail = plan.detail.kind === 'iommu' ? plan.detail : null;
  const lines = [`Plan ${plan.id}: iommu ${detail?.action ?? ''}`, '', 'Checks:', ...checkLines(plan.checks), ...refusalLine(plan)];
  if (plan.noop) lines.push('', 'Nothing to do: the boot configuration already says so.');
  for (const s of plan.steps) {
    lines.push('', s.title);
    for (const d of s.diffs ?? []) lines.push('', ...d.unifiedDiff.trimEnd().split('\n'));
    const backups = s.shell.filter((l) => l.startsWith('cp -p '));
    const commands = s.shell.filter((l) => !/^(mkdir|cp|printf|rm) /.test(l));
    lines.push(
      '',
      'Backups (copied first):',
      ...(backups.length ? backups.map((b) => `  ${b.slice('cp -p '.length)}`) : ["  none (only files of Passthru's own are created or removed)"]),
    );
    lines.push('', 'Then, as root:', ...commands.map((c) => `  $ ${c}`));
    lines.push('', `Verify: ${s.verify}`, `Undo:   passthru undo (or: ${s.undoShell.join(' && ')})`);
  }
  const manual = detail?.manualSteps;
  if (manual?.length) lines.push('', 'Left to you (see the check "Commands left to you"): after applying, run', ...manual.map((m) => `  $ ${m}`));
  if (!plan.refusal && detail?.rebootNeeded) lines.push('', 'A reboot is needed for the running kernel to use it.');
  return `${lines.join('\n')}\n`;
}

const action = z.enum(['enable', 'disable']);

export const iommuKind = defineChangeKind({
  kind: 'iommu',
  request: z.strictObject({ kind: z.literal('iommu'), action, pt: z.optional(z.boolean()), earlyVfio: z.optional(z.boolean()) }),
  // pt and early VFIO modules go with enable; disable removes every argument Passthru adds.
  toIntent: (r) => ({ kind: 'iommu' as const, action: r.action, pt: r.action === 'enable' && r.pt === true, earlyVfio: r.action === 'enable' && r.earlyVfio === true }),
  intent: z.strictObject({ kind: z.literal('iommu'), action, pt: z.boolean(), earlyVfio: z.boolean() }),
  async plan(ctx, i) {
    const setup = detectBootSetup(ctx.fs);
    const intent = i.action === 'enable' ? { action: 'enable' as const, pt: i.pt, earlyVfio: i.earlyVfio } : { action: 'disable' as const, pt: false, earlyVfio: false };
    const plan = intent.action === 'enable' ? planIommuEnable(setup, { pt: intent.pt, earlyVfio: intent.earlyVfio }) : planIommuDisable(setup);
    return iommuToPlan(setup, plan, intent, ctx.ids);
  },
  formatPlan: formatIommuPlan,
  undoNeedsFacts: false,
});
