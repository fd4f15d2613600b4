/**
 * The fingerprint of an IommuPlan's effect: sha256 over the canonical JSON of its files
 * (path, before, after), commands, backups and whether the commands are left to the user. The planner puts it in the apply-boot-config
 * op; the executor plans again and refuses unless its own plan has the same fingerprint, so
 * what is written is exactly what the user was shown.
 */
import { createHash } from 'node:crypto';
import type { IommuPlan } from './plan';

export function bootConfigDigest(plan: Pick<IommuPlan, 'files' | 'commands' | 'backups' | 'manual'>): string {
  const canonical = JSON.stringify({
    files: plan.files.map((f) => ({ path: f.path, before: f.before, after: f.after })),
    commands: plan.commands.map((argv) => [...argv]),
    backups: plan.backups.map((b) => ({ path: b.path, backup: b.backup })),
    manual: plan.manual === null ? null : plan.manual.steps.map((argv) => [...argv]),
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
