/** release: give a device back to the driver it had before Passthru assigned it. */
import * as z from 'zod/mini';
import { addressInput } from '#shared/change-schemas';
import type { DeviceState } from '#shared/plan';
import { parsePciAddress } from '#shared/pci-address';
import { planRelease } from '../../plans/assign-planner';
import { defineChangeKind, type PlanningContext } from '../change-kind';

/** The state recorded before the newest applied assign of `address` made on this root. */
function recordedOriginal(ctx: PlanningContext, address: string): DeviceState | null {
  const full = parsePciAddress(address);
  const rec = ctx.journal.all().find((r) => r.kind === 'assign' && r.state === 'applied' && r.root === ctx.root && r.devices.includes(full));
  return rec?.original[full] ?? null;
}

const release = z.strictObject({ kind: z.literal('release'), address: addressInput });

export const releaseKind = defineChangeKind({
  kind: 'release',
  request: release,
  toIntent: (r) => r,
  intent: release,
  plan: async (ctx, i) => planRelease(await ctx.facts(), i.address, recordedOriginal(ctx, i.address), ctx.ids),
  undoNeedsFacts: true,
});
