/**
 * Turns a plan into a shell script the user can read or run by hand — the same commands the
 * wizard shows, in order, stopping at the first failure.
 */
import type { Plan } from '#shared/plan';
import { shellComment } from '#shared/shell-quote';

/**
 * The script: the plan's shell lines as main made them (every word quoted there, with
 * shared/shell-quote.ts), titles and paths as comments that cannot break out of their line.
 */
export function planScript(plan: Plan): string {
  const lines = ['#!/bin/sh', 'set -e', shellComment(`Passthru plan ${plan.id}: ${plan.kind} ${plan.target}`), '# Run as root.'];
  for (const step of plan.steps) {
    lines.push('', shellComment(step.title));
    for (const f of step.files ?? []) lines.push(shellComment(`writes ${f.path}`));
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
