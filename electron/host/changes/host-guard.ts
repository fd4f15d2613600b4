/**
 * The host guard: whatever the kind of a plan — assign, release, the undo of a release, the
 * rollback of an interrupted change, a kind added next year — every op that takes a device away
 * from the host, or destroys VFs, is held against the same safety checks the assign planner
 * runs (a bridge, the management NIC, a mounted disk's controller, the display in use, a PF's
 * VFs). The executor adds the guard's failures to every plan it makes, so nothing a planner
 * refuses can reach the host by another road, and the user sees the refusal in the plan.
 */
import type { PciDevice } from '#shared/model';
import type { OpCall, Plan, PlanCheck } from '#shared/plan';
import type { HostFacts } from '../plans/host-facts';
import * as C from '../plans/plan-checks';
import { checkVfsRemovable } from '../plans/sriov-planner';

/** Drivers that mean "given to VMs, or parked": moving a device off them takes nothing from the host. */
const NOT_HOST_DRIVERS = new Set(['vfio-pci', 'pci-stub']);

/** The address of the device an op takes from its host driver, or null when it takes none. */
function detaches(op: OpCall): string | null {
  switch (op.verb) {
    case 'unbind':
      return NOT_HOST_DRIVERS.has(op.driver) ? null : op.address;
    case 'set-driver-override':
      return op.driver === null ? null : op.address;
    case 'probe':
      return op.expectDriver === 'vfio-pci' ? op.address : null;
    default:
      return null;
  }
}

/** The guard's checks for `ops` on the host as `facts` describe it (only the relevant ones). */
export function guardChecks(ops: readonly OpCall[], facts: HostFacts): C.CheckResult[] {
  const byAddress = new Map(facts.scan.devices.map((d) => [d.address, d] as const));
  const taken = [...new Set(ops.map(detaches).filter((a): a is string => a !== null))]
    .map((a) => byAddress.get(a))
    .filter((d): d is PciDevice => d !== undefined)
    // Already on vfio-pci (a re-probe, or an override matching the driver): nothing leaves the host.
    .filter((d) => !NOT_HOST_DRIVERS.has(d.driver ?? ''));
  const results: C.CheckResult[] = [];
  for (const d of taken) {
    results.push(C.checkEndpoint(d), C.checkMountedDisk(facts, d));
  }
  if (taken.length) results.push(C.checkManagement(facts, taken), C.checkDisplay(facts, taken), C.checkSriov(taken));

  for (const op of ops) {
    if (op.verb !== 'set-sriov-numvfs') continue;
    const pf = byAddress.get(op.address);
    const now = pf?.sriov?.numVfs ?? 0;
    if (!pf?.sriov || now === 0 || op.count === now) continue;
    const vfs = pf.sriov.vfs.map((a) => byAddress.get(a)).filter((d): d is PciDevice => d !== undefined);
    results.push(...checkVfsRemovable(facts, vfs), C.checkManagement(facts, vfs));
  }
  return results;
}

/**
 * `plan` with the guard's failures added: a failing check the plan lacks (or shows as passing)
 * is put in, and the refusal made to include it — forceable only when every failure is.
 */
export function withGuard(plan: Plan, results: C.CheckResult[]): Plan {
  const failing = results.filter((r) => r.check.status === 'fail');
  const fresh = failing.filter((r) => !plan.checks.some((c) => c.id === r.check.id && c.status === 'fail'));
  if (fresh.length === 0) return plan;
  const freshIds = new Set(fresh.map((r) => r.check.id));
  const checks: PlanCheck[] = [...plan.checks.filter((c) => !freshIds.has(c.id)), ...dedupe(fresh).map((r) => r.check)];
  const hard = fresh.some((r) => !r.check.forceable) || (plan.refusal !== null && !plan.refusal.forceable);
  const lead = fresh.find((r) => r.confirmText !== undefined);
  const message = [plan.refusal?.message, ...dedupe(fresh).map((r) => r.check.detail)].filter(Boolean).join(' ');
  return {
    ...plan,
    checks,
    noop: false,
    refusal: {
      message,
      remedy: plan.refusal?.remedy ?? fresh[0]?.check.remedy ?? null,
      forceable: !hard,
      confirmText: hard ? null : (plan.refusal?.confirmText ?? lead?.confirmText ?? null),
      code: plan.refusal?.code === 'ENVIRONMENT' ? 'ENVIRONMENT' : 'REFUSED',
    },
  };
}

function dedupe(results: C.CheckResult[]): C.CheckResult[] {
  const seen = new Set<string>();
  return results.filter((r) => (seen.has(`${r.check.id} ${r.check.detail}`) ? false : (seen.add(`${r.check.id} ${r.check.detail}`), true)));
}
