/**
 * The fingerprint of what a plan will do: sha256 over the canonical JSON of everything the user
 * is shown that decides the outcome — the kind, the devices, force, the kind's detail, the refusal, every
 * check's verdict and every step (its words, op, shell lines, verification, undo, files and
 * diffs). Not its id or creation time. The caller sends it with the intent; the executor plans
 * the intent again and acts only when its own plan has the same fingerprint, so nothing happens
 * that the user did not see.
 */
import { createHash } from 'node:crypto';
import type { Plan } from '#shared/plan';

/** JSON with object keys sorted, so the fingerprint does not depend on construction order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

export function planDigest(plan: Plan): string {
  const shown = {
    kind: plan.kind,
    target: plan.target,
    devices: plan.devices,
    force: plan.force,
    detail: plan.detail,
    refusal: plan.refusal,
    noop: plan.noop,
    checks: plan.checks.map((c) => [c.id, c.status, c.forceable]),
    steps: plan.steps,
    original: plan.original,
    // Absent for plans applied for good (so their fingerprints are what they always were).
    confirm: plan.confirm ?? undefined,
  };
  return createHash('sha256').update(canonical(shown), 'utf8').digest('hex');
}
