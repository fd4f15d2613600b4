/**
 * Planners for assign, release and undo: pure decisions over HostFacts (no writes). A refused
 * plan still lists its steps so the user can preview what forcing would do; the executor
 * refuses to apply it unless the refusal is forceable and the user typed `confirmText`.
 *
 * Assign step order per device is [unbind original, set override vfio-pci, probe]. The usual
 * recipe writes the override first; we unbind first so that rolling back the done steps in
 * reverse is exact at every point: undo(probe)=unbind vfio-pci, undo(override)=restore the
 * original override, undo(unbind)=probe the original driver — which only works once the
 * override is back. With the override first, undoing the unbind would re-probe into vfio-pci.
 */
import type { PciDevice } from '#shared/model';
import { KERNEL_CHOOSES, type DeviceState, type GroupOutcome, type Plan, type PlanCheck } from '#shared/plan';
import type { HostFacts } from './host-facts';
import * as C from './plan-checks';
import { loadModuleStep, overrideStep, ownerStep, probeStep, removePersistenceStep, unbindStep, writePersistenceStep, type PlanDraft, type PlannedStep } from './plan-steps';
import { allowedDrivers, resolveDevice, validateDriverName } from './validate';

export interface AssignRequest {
  address: string;
  group?: boolean;
  persist?: boolean;
  force?: boolean;
  ownerUid?: number | null;
  /** Group for /dev/vfio/N; defaults to ownerUid (the user's private group). */
  ownerGid?: number | null;
}

export interface PlanIds {
  planId: string;
  now: string;
}

const VFIO_OK = new Set([null, 'vfio-pci', 'pci-stub']);

/** Group verdict once `bound` are on vfio-pci (and `drivers` hold the given driver). */
function expectedFor(facts: HostFacts, target: PciDevice, bound: Set<string>, drivers: Map<string, string | null> = new Map()): GroupOutcome {
  const g = facts.scan.groups.find((x) => x.id === target.iommuGroup);
  if (!g) return { iommuGroup: target.iommuGroup, groupViable: false, remainingBlockers: [] };
  const remainingBlockers = g.devices.flatMap((a) => {
    const d = facts.scan.devices.find((x) => x.address === a);
    const driver = drivers.has(a) ? (drivers.get(a) ?? null) : (d?.driver ?? null);
    if (!d || C.isBridge(d) || bound.has(a) || VFIO_OK.has(driver)) return [];
    return [{ address: a, driver: driver as string }];
  });
  return { iommuGroup: g.id, groupViable: remainingBlockers.length === 0, remainingBlockers };
}

/** Plans moving `request.address` (or its group's endpoints) to vfio-pci. */
export function planAssign(facts: HostFacts, request: AssignRequest, ids: PlanIds): PlanDraft {
  const target = resolveDevice(facts.scan, request.address);
  const group = request.group ?? false;
  const persist = request.persist ?? false;
  const ownerUid = request.ownerUid ?? null;
  const members =
    group && target.iommuGroup !== null && !C.isBridge(target)
      ? (facts.scan.groups.find((g) => g.id === target.iommuGroup)?.devices ?? [target.address])
          .map((a) => facts.scan.devices.find((d) => d.address === a))
          .filter((d): d is PciDevice => d !== undefined && !C.isBridge(d))
      : [target];

  const results = [C.checkIommu(facts, target), C.checkVfio(facts), C.checkEndpoint(target), C.checkGroup(facts, target, group)]
    .filter((r): r is C.CheckResult => r !== null)
    .concat([
      C.checkManagement(facts, members),
      C.checkInUse(facts, members),
      C.checkMountedDisk(facts, target),
      C.checkDisplay(facts, members),
      C.checkSriov(members.filter((d) => d.driver !== 'vfio-pci')),
      C.checkReset(members),
    ]);

  const steps: PlannedStep[] = [];
  const original: Record<string, DeviceState> = {};
  for (const d of members) {
    original[d.address] = { driver: d.driver, driverOverride: d.driverOverride };
    const n = d.address;
    if (d.driver !== 'vfio-pci' && d.driver) steps.push(unbindStep(`unbind-${n}`, n, d.driver));
    if (d.driverOverride !== 'vfio-pci') steps.push(overrideStep(`override-${n}`, n, 'vfio-pci', d.driverOverride));
    if (d.driver !== 'vfio-pci') steps.push(probeStep(`probe-${n}`, n, 'vfio-pci', d.iommuGroup));
  }
  if (steps.length && facts.vfioPci === 'loadable') steps.unshift(loadModuleStep());
  // Only alongside a binding change, so that assigning twice stays a no-op.
  if (ownerUid !== null && steps.length && target.iommuGroup !== null && !C.isBridge(target)) {
    steps.push(ownerStep(`owner-group-${target.iommuGroup}`, target.iommuGroup, ownerUid, request.ownerGid ?? ownerUid));
  }
  if (persist) for (const d of members) if (!facts.persisted.has(d.address)) steps.push(writePersistenceStep(`persist-${d.address}`, d.address));

  const refusal = C.refusalFrom(results);
  const bound = new Set(members.map((d) => d.address));
  return {
    id: ids.planId,
    kind: 'assign',
    createdAt: ids.now,
    target: target.address,
    devices: members.map((d) => d.address),
    force: request.force ?? false,
    checks: results.map((r) => r.check),
    refusal,
    noop: refusal === null && steps.length === 0,
    steps,
    original,
    detail: {
      kind: 'assign',
      group,
      persist,
      ownerUid,
      expected: refusal?.code === 'ENVIRONMENT' ? expectedFor(facts, target, new Set()) : expectedFor(facts, target, bound),
    },
  };
}

/**
 * Plans giving `address` back: restore the recorded override and driver, drop persistence.
 * Order [unbind vfio-pci, restore override, probe original] reverses exactly (see top).
 * `original` null (no journal record, e.g. bound by hand or by another tool): clear the
 * override and reprobe, accepting whatever the kernel binds (KERNEL_CHOOSES); the driver it
 * most likely picks (the device's one matching module) is shown, not enforced.
 */
export function planRelease(facts: HostFacts, address: string, original: DeviceState | null, ids: PlanIds): PlanDraft {
  const d = resolveDevice(facts.scan, address);
  const n = d.address;
  // The journal is a file on disk: its driver names end up in sysfs paths, so re-check their shape.
  for (const name of [original?.driver, original?.driverOverride]) if (name) validateDriverName(name, allowedDrivers(name));
  const steps: PlannedStep[] = [];
  const checks: PlanCheck[] = [];
  const modules = d.modules.filter((m) => m !== 'vfio_pci' && m !== 'vfio-pci');
  const likely = modules.length === 1 ? (modules[0] as string) : null;
  const back: DeviceState = original ?? { driver: null, driverOverride: null };
  const onVfio = d.driver === 'vfio-pci' || d.driverOverride === 'vfio-pci';
  if (onVfio) {
    if (d.driver === 'vfio-pci') steps.push(unbindStep(`unbind-${n}`, n, 'vfio-pci'));
    if (d.driverOverride !== back.driverOverride) steps.push(overrideStep(`override-${n}`, n, back.driverOverride, d.driverOverride));
    if (original === null) steps.push(probeStep(`probe-${n}`, n, KERNEL_CHOOSES, d.iommuGroup, likely));
    else if (back.driver !== null) steps.push(probeStep(`probe-${n}`, n, back.driver, d.iommuGroup));
  }
  if (facts.persisted.has(n)) steps.push(removePersistenceStep(`unpersist-${n}`, n));
  checks.push({
    id: 'original-driver',
    title: 'Driver to give it back to',
    status: original ? 'pass' : 'warn',
    detail: original
      ? `Recorded before the change: driver ${original.driver ?? 'none'}, override ${original.driverOverride ?? 'none'}.`
      : `No record of ${n}'s driver before Passthru; the override is cleared and the kernel chooses${likely ? ` (most likely ${likely})` : ''}.`,
    remedy: null,
    forceable: false,
  });
  if (!onVfio)
    checks.push({
      id: 'on-vfio',
      title: 'Device on vfio-pci',
      status: 'pass',
      detail: `${n} is not on vfio-pci (driver ${d.driver ?? 'none'}); nothing to give back.`,
      remedy: null,
      forceable: false,
    });
  // vfio-pci's unbind waits until every user has closed the device: with a VM running, the
  // write would hang (and the VM lose its NIC). Refuse instead.
  const users = d.driver === 'vfio-pci' && d.iommuGroup !== null ? (facts.vfioGroupUsers.get(d.iommuGroup) ?? []) : [];
  const inUse = users.length ? `${n} is in use by ${users.map((u) => `${u.command} (pid ${u.pid})`).join(', ')}, which holds /dev/vfio/${d.iommuGroup}.` : null;
  checks.push(
    inUse
      ? {
          id: 'vm-running',
          title: 'No VM uses the device',
          status: 'fail',
          detail: `${inUse} Giving it back would hang until that process lets go.`,
          remedy: 'Stop the VM first.',
          forceable: false,
        }
      : { id: 'vm-running', title: 'No VM uses the device', status: 'pass', detail: 'No process holds its /dev/vfio group.', remedy: null, forceable: false },
  );
  const refusal: Plan['refusal'] = inUse ? { message: inUse, remedy: 'Stop the VM first.', forceable: false, confirmText: null, code: 'REFUSED' } : null;
  return {
    id: ids.planId,
    kind: 'release',
    createdAt: ids.now,
    target: n,
    devices: [n],
    force: false,
    checks,
    refusal,
    noop: refusal === null && steps.length === 0,
    steps,
    original: { [n]: { driver: d.driver, driverOverride: d.driverOverride } },
    detail: { kind: 'release', expected: expectedAfterRelease(facts, d, original ? back.driver : likely) },
  };
}

function expectedAfterRelease(facts: HostFacts, d: PciDevice, driver: string | null): GroupOutcome {
  const base = expectedFor(facts, d, new Set());
  if (driver === null || VFIO_OK.has(driver) || base.remainingBlockers.some((b) => b.address === d.address)) return base;
  const remainingBlockers = [...base.remainingBlockers, { address: d.address, driver }];
  return { ...base, groupViable: false, remainingBlockers };
}

/**
 * The group verdict once the recorded original drivers are back (the undo of a change);
 * unknown (non-viable, no blockers) when the target is not on this host.
 */
export function expectedAfter(facts: HostFacts, targetAddress: string, original: Record<string, DeviceState>): GroupOutcome {
  const target = facts.scan.devices.find((d) => d.address === targetAddress);
  if (!target) return { iommuGroup: null, groupViable: false, remainingBlockers: [] };
  const drivers = new Map(Object.entries(original).map(([a, st]) => [a, st.driver] as const));
  return expectedFor(facts, target, new Set(), drivers);
}
