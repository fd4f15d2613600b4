/** vf-config: one VF's MAC, VLAN, trust, spoof check or link state, through its PF driver. */
import * as z from 'zod/mini';
import { addressInput, count, vfChangeSchema } from '#shared/change-schemas';
import { planVfConfig } from '../../plans/sriov-planner';
import { defineChangeKind } from '../change-kind';

const vfConfig = z.strictObject({ kind: z.literal('vf-config'), address: addressInput, vf: count, settings: vfChangeSchema });

export const vfConfigKind = defineChangeKind({
  kind: 'vf-config',
  request: vfConfig,
  toIntent: (r) => r,
  intent: vfConfig,
  plan: async (ctx, i) => planVfConfig(await ctx.facts(), { address: i.address, vf: i.vf, settings: i.settings }, ctx.ids),
  undoNeedsFacts: true,
});
