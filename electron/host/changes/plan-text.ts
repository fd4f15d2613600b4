/**
 * A plan as `passthru` prints it, for the kinds that need nothing special: the checks, the
 * refusal, then every step with its shell lines, what is verified and how it is undone. A kind
 * prints its plans its own way by declaring `formatPlan` (changes/kinds/iommu.ts does).
 */
import type { Plan, PlanCheck } from '#shared/plan';

export function checkLines(checks: readonly PlanCheck[]): string[] {
  return checks.map((c) => `  [${c.status}] ${c.title}: ${c.detail}${c.remedy ? ` (${c.remedy})` : ''}`);
}

export function refusalLine(plan: Plan): string[] {
  return plan.refusal ? ['', `REFUSED: ${plan.refusal.message}${plan.refusal.remedy ? ` ${plan.refusal.remedy}` : ''}`] : [];
}

export function genericPlanText(plan: Plan): string {
  const lines = [`Plan ${plan.id}: ${plan.kind} ${plan.target}${plan.devices.length > 1 ? ` (devices ${plan.devices.join(', ')})` : ''}`];
  if (plan.checks.length) lines.push('', 'Checks:', ...checkLines(plan.checks));
  lines.push(...refusalLine(plan));
  if (plan.noop) lines.push('', 'Nothing to do: the device is already in the wanted state.');
  plan.steps.forEach((s, i) => {
    lines.push('', `${i + 1}. ${s.title}`);
    for (const sh of s.shell) lines.push(`     $ ${sh}`);
    if (s.verify) lines.push(`   verify: ${s.verify}`);
    if (s.undoShell.length) lines.push(`   undo:   ${s.undoShell.join(' && ')}`);
    for (const f of s.files ?? []) lines.push(`   file ${f.path}:`, ...f.content.split('\n').map((l) => `     | ${l}`));
  });
  return `${lines.join('\n')}\n`;
}
