/**
 * Turns a plan into a shell script the user can read or run by hand — the same commands the
 * wizard shows, in order, stopping at the first failure.
 */
import type { Plan } from '../../../../shared/plan';

export function planScript(plan: Plan): string {
  const lines = ['#!/bin/sh', 'set -e', `# Passthru plan ${plan.id}: ${plan.kind} ${plan.target}`, '# Run as root.'];
  for (const step of plan.steps) {
    lines.push('', `# ${step.title.replace(/\n/g, ' ')}`);
    for (const f of step.files ?? []) lines.push(`# writes ${f.path}`);
    lines.push(...step.shell);
  }
  return lines.join('\n') + '\n';
}

export function scriptFileName(plan: Plan): string {
  return `passthru-${plan.kind}-${plan.target.replace(/[^0-9a-f]/gi, '-')}.sh`;
}

/** A data: URL for an <a download>; data URLs need no blob: allowance in the CSP. */
export function scriptHref(plan: Plan): string {
  return `data:text/x-shellscript;charset=utf-8,${encodeURIComponent(planScript(plan))}`;
}
