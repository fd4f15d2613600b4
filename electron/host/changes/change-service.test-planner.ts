/**
 * A stand-in planner for ChangeService tests (the real one is electron/host/plans/): reads the
 * device's driver from the tree, plans the exact-reverse step order, refuses 0000:00:04.0 as
 * the "management NIC" (forceable by typing eno1).
 */
import { PassthruError } from '../../../shared/errors';
import type { DeviceState, Plan, PlanStep } from '../../../shared/plan';
import { step } from '../apply/apply-test-support';
import { RootFs } from '../fs/root-fs';
import type { ChangePlanner } from './change-service';

function driverOf(root: string, a: string): string | null {
  return new RootFs(root).readLink(`/sys/bus/pci/devices/${a}/driver`)?.split('/').pop() ?? null;
}

function base(kind: Plan['kind'], a: string, id: string, now: Date, steps: PlanStep[], original: Record<string, DeviceState>): Plan {
  return {
    id, kind, createdAt: now.toISOString(), target: a, devices: [a],
    options: { group: false, persist: false, ownerUid: null, force: false },
    checks: [], refusal: null, noop: steps.length === 0, steps, original,
    expected: { iommuGroup: null, groupViable: true, remainingBlockers: [] },
  };
}

export const testPlanner: ChangePlanner = {
  async planAssign(root, req, meta) {
    const a = req.address;
    const drv = driverOf(root, a);
    const steps =
      drv === 'vfio-pci'
        ? []
        : [
            ...(drv ? [step('unbind', { verb: 'unbind', address: a, driver: drv }, { verb: 'probe', address: a, expectDriver: drv })] : []),
            step('override', { verb: 'set-driver-override', address: a, driver: 'vfio-pci' }, { verb: 'set-driver-override', address: a, driver: null }),
            step('bind', { verb: 'probe', address: a, expectDriver: 'vfio-pci' }, { verb: 'unbind', address: a, driver: 'vfio-pci' }),
          ];
    const plan = base('assign', a, meta.planId, meta.now, steps, { [a]: { driver: drv, driverOverride: null } });
    plan.options.force = req.force ?? false;
    if (a === '0000:00:04.0') {
      plan.refusal = { message: '0000:00:04.0 is the management NIC (eno1).', remedy: 'Use another NIC.', forceable: true, confirmText: 'eno1' };
    }
    return plan;
  },
  async planRelease(root, a, original, meta) {
    const back = original?.driver ?? null;
    const steps =
      driverOf(root, a) !== 'vfio-pci'
        ? []
        : [
            step('unbind', { verb: 'unbind', address: a, driver: 'vfio-pci' }, { verb: 'probe', address: a, expectDriver: 'vfio-pci' }),
            step('override', { verb: 'set-driver-override', address: a, driver: null }, { verb: 'set-driver-override', address: a, driver: 'vfio-pci' }),
            step('reprobe', { verb: 'probe', address: a, expectDriver: back }, back ? { verb: 'unbind', address: a, driver: back } : null),
          ];
    return base('release', a, meta.planId, meta.now, steps, { [a]: original ?? { driver: null, driverOverride: null } });
  },
  // ChangeService's SR-IOV paths are tested with the real planner (sriov tests); not this stand-in.
  async planSriov() {
    throw new PassthruError('INTERNAL', 'The stand-in planner does not plan SR-IOV.', null);
  },
  async planVfConfig() {
    throw new PassthruError('INTERNAL', 'The stand-in planner does not plan VF settings.', null);
  },
  async planIommu() {
    throw new PassthruError('INTERNAL', 'The stand-in planner does not plan IOMMU changes.', null);
  },
};
