/**
 * bridge: a Linux bridge over a host NIC for VMs, made (or removed) through the network stack
 * that manages the NIC, under confirm-or-revert — the NIC may carry the very session that asks.
 */
import * as z from 'zod/mini';
import { ifname } from '#shared/change-schemas';
import { CONFIRM_SECONDS } from '#shared/confirm-window';
import { ifupdown, setAddrGenMode, writeNetworkFile } from '../../ops/network-config';
import { planBridge } from '../../plans/bridge-planner';
import { defineChangeKind } from '../change-kind';
import { formatBridgePlan } from './bridge-plan-text';

const seconds = z.int().check(z.minimum(CONFIRM_SECONDS.min), z.maximum(CONFIRM_SECONDS.max));
const session = z.nullable(z.string().check(z.regex(/^[0-9A-Fa-f:.]{2,45}$/)));
const create = { kind: z.literal('bridge'), action: z.literal('create'), bridge: ifname, port: ifname };
const remove = { kind: z.literal('bridge'), action: z.literal('remove'), bridge: ifname };

export const bridgeKind = defineChangeKind({
  kind: 'bridge',
  request: z.discriminatedUnion('action', [z.strictObject({ ...create, confirmSeconds: z.optional(seconds) }), z.strictObject({ ...remove, confirmSeconds: z.optional(seconds) })]),
  toIntent: (r, requester) => ({ ...r, confirmSeconds: r.confirmSeconds ?? CONFIRM_SECONDS.default, session: requester.sessionAddress ?? null }),
  intent: z.discriminatedUnion('action', [z.strictObject({ ...create, confirmSeconds: seconds, session }), z.strictObject({ ...remove, confirmSeconds: seconds, session })]),
  plan: (ctx, i) => planBridge(ctx.fs, ctx.ids, i),
  formatPlan: formatBridgePlan,
  ops: [writeNetworkFile, ifupdown, setAddrGenMode],
  undoNeedsFacts: false,
});
