/** vm-network: a VM's tap devices on their bridges, made for the user who runs qemu (or removed when it stops). */
import * as z from 'zod/mini';
import { ifname, uid } from '#shared/change-schemas';
import { PassthruError } from '#shared/errors';
import { VM_NAME_PATTERN } from '#shared/vm-names';
import { planVmNetwork } from '../../plans/vm-network-planner';
import { defineChangeKind } from '../change-kind';

const fields = {
  kind: z.literal('vm-network'),
  vm: z.string().check(z.regex(VM_NAME_PATTERN)),
  uid,
};
const create = z.array(z.strictObject({ tap: ifname, bridge: ifname })).check(z.maxLength(16));
const remove = z.array(ifname).check(z.maxLength(16));

export const vmNetworkKind = defineChangeKind({
  kind: 'vm-network',
  request: z.strictObject({ ...fields, create: z.optional(create), remove: z.optional(remove) }),
  toIntent: (r) => ({ kind: 'vm-network' as const, vm: r.vm, create: r.create ?? [], remove: r.remove ?? [], uid: r.uid }),
  intent: z.strictObject({ ...fields, create, remove }),
  async plan(ctx, i) {
    if (ctx.caller.uid !== null && i.uid !== ctx.caller.uid) {
      throw new PassthruError('REFUSED', `A tap device for user ${i.uid} was asked by user ${ctx.caller.uid}; taps are made only for the user who asks.`, null);
    }
    return planVmNetwork({ vm: i.vm, create: i.create, remove: i.remove, uid: i.uid }, ctx.ids);
  },
  undoNeedsFacts: false,
});
