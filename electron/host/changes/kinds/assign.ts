/** assign: give a device (or with `group`, its IOMMU group's endpoints) to vfio-pci. */
import * as z from 'zod/mini';
import { addressInput, uid } from '#shared/change-schemas';
import { PassthruError } from '#shared/errors';
import { planAssign } from '../../plans/assign-planner';
import { defineChangeKind, type Caller } from '../change-kind';

/** /dev/vfio/N goes to the user who asked, or stays root's: never to a third user. */
function checkOwner(caller: Caller, ownerUid: number | null): void {
  if (caller.uid === null || ownerUid === null || ownerUid === 0 || ownerUid === caller.uid) return;
  throw new PassthruError('REFUSED', `/dev/vfio access for user ${ownerUid} was asked by user ${caller.uid}; Passthru gives devices only to the user who asks.`, null);
}

export const assignKind = defineChangeKind({
  kind: 'assign',
  request: z.strictObject({
    kind: z.literal('assign'),
    address: addressInput,
    group: z.optional(z.boolean()),
    persist: z.optional(z.boolean()),
    force: z.optional(z.boolean()),
  }),
  toIntent: (r, requester) => ({
    kind: 'assign' as const,
    address: r.address,
    group: r.group ?? false,
    persist: r.persist ?? false,
    force: r.force ?? false,
    ownerUid: requester.ownerUid,
  }),
  intent: z.strictObject({ kind: z.literal('assign'), address: addressInput, group: z.boolean(), persist: z.boolean(), force: z.boolean(), ownerUid: z.nullable(uid) }),
  async plan(ctx, i) {
    checkOwner(ctx.caller, i.ownerUid);
    return planAssign(await ctx.facts(), { address: i.address, group: i.group, persist: i.persist, force: i.force, ownerUid: i.ownerUid }, ctx.ids);
  },
  undoNeedsFacts: true,
});
