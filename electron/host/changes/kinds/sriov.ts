/** sriov: set a PF's number of VFs, whether new VFs get a host driver, and whether they come back at boot. */
import * as z from 'zod/mini';
import { addressInput, count } from '#shared/change-schemas';
import { planSriov } from '../../plans/sriov-planner';
import { defineChangeKind } from '../change-kind';

export const sriovKind = defineChangeKind({
  kind: 'sriov',
  request: z.strictObject({
    kind: z.literal('sriov'),
    address: addressInput,
    numVfs: count,
    autoprobe: z.optional(z.boolean()),
    persist: z.optional(z.boolean()),
    force: z.optional(z.boolean()),
  }),
  // Absent autoprobe/persist: left as they are (null), which differs from false.
  toIntent: (r) => ({ kind: 'sriov' as const, address: r.address, numVfs: r.numVfs, autoprobe: r.autoprobe ?? null, persist: r.persist ?? null, force: r.force ?? false }),
  intent: z.strictObject({
    kind: z.literal('sriov'),
    address: addressInput,
    numVfs: count,
    autoprobe: z.nullable(z.boolean()),
    persist: z.nullable(z.boolean()),
    force: z.boolean(),
  }),
  async plan(ctx, i) {
    const request = {
      address: i.address,
      numVfs: i.numVfs,
      force: i.force,
      ...(i.autoprobe === null ? {} : { autoprobe: i.autoprobe }),
      ...(i.persist === null ? {} : { persist: i.persist }),
    };
    return planSriov(await ctx.facts(), request, ctx.ids);
  },
  undoNeedsFacts: true,
});
