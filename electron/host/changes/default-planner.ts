/**
 * The planner ChangeService uses when none is passed: the host as it is now (scanHost +
 * gatherHostFacts over the root) fed to the planners in electron/host/plans/.
 */
import { RootFs } from '../fs/root-fs';
import { detectBootSetup } from '../iommu/detect';
import { planIommuDisable, planIommuEnable } from '../iommu/plan';
import { iommuToPlan } from '../iommu/to-plan';
import { gatherHostFacts } from '../plans/host-facts';
import { planAssign, planRelease } from '../plans/assign-planner';
import { persistenceFiles } from '../plans/persistence-files';
import { planSriov, planVfConfig } from '../plans/sriov-planner';
import { scanHost } from '../scan';
import type { ChangePlanner } from './change-service';

async function factsOf(root: string) {
  const fs = new RootFs(root);
  return gatherHostFacts(fs, await scanHost(fs));
}

export const defaultPlanner: ChangePlanner | null = {
  async planAssign(root, request, meta) {
    return planAssign(await factsOf(root), request, { planId: meta.planId, now: meta.now.toISOString() });
  },
  async planRelease(root, address, original, meta) {
    return planRelease(await factsOf(root), address, original, { planId: meta.planId, now: meta.now.toISOString() });
  },
  async planSriov(root, request, meta) {
    return planSriov(await factsOf(root), request, { planId: meta.planId, now: meta.now.toISOString() });
  },
  async planVfConfig(root, request, meta) {
    return planVfConfig(await factsOf(root), request, { planId: meta.planId, now: meta.now.toISOString() });
  },
  async planIommu(root, request, meta) {
    const setup = detectBootSetup(new RootFs(root));
    const intent = request.action === 'enable'
      ? { action: 'enable' as const, pt: request.pt === true, earlyVfio: request.earlyVfio === true }
      : { action: 'disable' as const, pt: false, earlyVfio: false };
    const plan = intent.action === 'enable' ? planIommuEnable(setup, { pt: intent.pt, earlyVfio: intent.earlyVfio }) : planIommuDisable(setup);
    return iommuToPlan(setup, plan, intent, { planId: meta.planId, now: meta.now.toISOString() });
  },
};

/** The files the persistence ops write and remove: exactly those the plan previewed. */
export const defaultPersistenceFiles: ((address: string) => { path: string; content: string }[]) | null = persistenceFiles;
