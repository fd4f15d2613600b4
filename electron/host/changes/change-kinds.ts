/**
 * The change kinds: for each, how an intent (what the user asked, checked by its schema in
 * shared/change-schemas.ts) becomes a plan on the host as it is. The same table serves the
 * caller that shows the plan and the executor that applies it (in-process as root, or in the
 * pkexec helper), so both plan alike, and a kind added here is guarded, digested and
 * re-planned by the executor like every other: it cannot forget to.
 */
import { PassthruError } from '../../../shared/errors';
import type { ChangeIntent, ChangeKind, DeviceState, Plan } from '../../../shared/plan';
import type { JournalStore } from '../apply/journal-store';
import type { HostFs } from '../fs/host-fs';
import { detectBootSetup } from '../iommu/detect';
import { planIommuDisable, planIommuEnable } from '../iommu/plan';
import { iommuToPlan } from '../iommu/to-plan';
import { planAssign, planRelease, type PlanIds } from '../plans/assign-planner';
import type { HostFacts } from '../plans/host-facts';
import { parsePciAddress } from '../../../shared/pci-address';
import { planSriov, planVfConfig } from '../plans/sriov-planner';
import { planVmNetwork } from '../plans/vm-network-planner';
import { planUndoOf, recordToUndo } from './undo-plan';

/** Who asked. `uid` null: root itself (the CLI under sudo); a number: the user pkexec ran us for. */
export interface Caller {
  uid: number | null;
}

export interface PlanningContext {
  root: string;
  fs: HostFs;
  journal: JournalStore;
  caller: Caller;
  /** The host's facts (a full scan), read once per plan and only by the kinds that need them. */
  facts(): Promise<HostFacts>;
  ids: PlanIds;
}

type Planner<K extends ChangeKind> = (ctx: PlanningContext, intent: Extract<ChangeIntent, { kind: K }>) => Promise<Plan>;

/** /dev/vfio/N goes to the user who asked, or stays root's: never to a third user. */
function checkOwner(caller: Caller, uid: number | null, what: string): void {
  if (caller.uid === null || uid === null || uid === 0 || uid === caller.uid) return;
  throw new PassthruError('REFUSED', `${what} for user ${uid} was asked by user ${caller.uid}; Passthru gives devices only to the user who asks.`, null);
}

/** The state recorded before the newest applied assign of `address` made on this root. */
function recordedOriginal(ctx: PlanningContext, address: string): DeviceState | null {
  const full = parsePciAddress(address);
  const rec = ctx.journal.all().find((r) => r.kind === 'assign' && r.state === 'applied' && r.root === ctx.root && r.devices.includes(full));
  return rec?.original[full] ?? null;
}

export const CHANGE_KINDS: { [K in ChangeKind]: Planner<K> } = {
  async assign(ctx, i) {
    checkOwner(ctx.caller, i.ownerUid, `/dev/vfio access`);
    return planAssign(await ctx.facts(), { address: i.address, group: i.group, persist: i.persist, force: i.force, ownerUid: i.ownerUid }, ctx.ids);
  },
  async release(ctx, i) {
    return planRelease(await ctx.facts(), i.address, recordedOriginal(ctx, i.address), ctx.ids);
  },
  async sriov(ctx, i) {
    const request = {
      address: i.address,
      numVfs: i.numVfs,
      force: i.force,
      ...(i.autoprobe === null ? {} : { autoprobe: i.autoprobe }),
      ...(i.persist === null ? {} : { persist: i.persist }),
    };
    return planSriov(await ctx.facts(), request, ctx.ids);
  },
  async 'vf-config'(ctx, i) {
    return planVfConfig(await ctx.facts(), { address: i.address, vf: i.vf, settings: i.settings }, ctx.ids);
  },
  async iommu(ctx, i) {
    const setup = detectBootSetup(ctx.fs);
    const intent = i.action === 'enable' ? { action: 'enable' as const, pt: i.pt, earlyVfio: i.earlyVfio } : { action: 'disable' as const, pt: false, earlyVfio: false };
    const plan = intent.action === 'enable' ? planIommuEnable(setup, { pt: intent.pt, earlyVfio: intent.earlyVfio }) : planIommuDisable(setup);
    return iommuToPlan(setup, plan, intent, ctx.ids);
  },
  async 'vm-network'(ctx, i) {
    if (ctx.caller.uid !== null && i.uid !== ctx.caller.uid) {
      throw new PassthruError('REFUSED', `A tap device for user ${i.uid} was asked by user ${ctx.caller.uid}; taps are made only for the user who asks.`, null);
    }
    return planVmNetwork({ vm: i.vm, create: i.create, remove: i.remove, uid: i.uid }, ctx.ids);
  },
  async undo(ctx, i) {
    const record = recordToUndo(
      (id) => ctx.journal.load(id),
      (id) => ctx.journal.problemWith(id),
      i.journalId,
    );
    const needsFacts = record.root === ctx.root && record.kind !== 'iommu' && record.kind !== 'vm-network';
    return planUndoOf(record, ctx.root, ctx.fs, needsFacts ? await ctx.facts() : null, ctx.ids);
  },
};

export function planIntent(ctx: PlanningContext, intent: ChangeIntent): Promise<Plan> {
  return (CHANGE_KINDS[intent.kind] as Planner<ChangeKind>)(ctx, intent as never);
}
