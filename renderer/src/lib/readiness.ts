/** The readiness checklist boiled down to one status and one sentence. */
import type { CheckStatus, ReadinessCheck } from '#shared/model';
import { plural } from './format';

export function overallStatus(checks: readonly ReadinessCheck[]): CheckStatus {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}

export function readinessSummary(checks: readonly ReadinessCheck[]): string {
  const fails = checks.filter((c) => c.status === 'fail').length;
  const warns = checks.filter((c) => c.status === 'warn').length;
  if (fails > 0) {
    return `Not ready: ${plural(fails, 'check fails', 'checks fail')}. Passthrough will not work until ${fails === 1 ? 'it is' : 'they are'} fixed.`;
  }
  if (warns > 0) return `Ready, with ${plural(warns, 'warning', 'warnings')} worth a look.`;
  return 'Ready: this host can pass PCI devices through to VMs.';
}
