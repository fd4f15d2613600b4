/**
 * The op registry: the only verbs the engine and the helper accept.
 * An op whose scope is 'kernel' is refused for a tree without a kernel here, at validation,
 * before any step of the plan has run.
 */
import { PassthruError } from '../../../shared/errors';
import type { OpCall } from '../../../shared/plan';
import { shellFor } from '../plans/plan-steps';
import { applyBootConfig } from './apply-boot-config';
import { requireKernel, type OpContext, type OpHandler } from './op-context';
import { loadModule } from './load-module';
import { removePersistence, writePersistence } from './persistence';
import { probe } from './probe';
import { setDriverOverride } from './set-driver-override';
import { setVf } from './set-vf';
import { setVfioOwner } from './set-vfio-owner';
import { removeSriovPersistence, setSriovAutoprobe, setSriovNumvfs, writeSriovPersistence } from './sriov';
import { createTap, removeTap } from './tap';
import { unbind } from './unbind';

const HANDLERS: { [V in OpCall['verb']]: OpHandler<V> } = {
  'set-driver-override': setDriverOverride,
  unbind,
  probe,
  'load-module': loadModule,
  'set-vfio-owner': setVfioOwner,
  'write-persistence': writePersistence,
  'remove-persistence': removePersistence,
  'set-sriov-numvfs': setSriovNumvfs,
  'set-sriov-autoprobe': setSriovAutoprobe,
  'set-vf': setVf,
  'write-sriov-persistence': writeSriovPersistence,
  'remove-sriov-persistence': removeSriovPersistence,
  'apply-boot-config': applyBootConfig,
  'create-tap': createTap,
  'remove-tap': removeTap,
};

function handlerFor(op: OpCall): OpHandler<OpCall['verb']> {
  const verb = (op as { verb?: unknown }).verb;
  const h = typeof verb === 'string' ? (HANDLERS as Record<string, unknown>)[verb] : undefined;
  if (!h) throw new PassthruError('BAD_INPUT', `Unknown or unsupported operation ${JSON.stringify(verb)}.`, null);
  return h as OpHandler<OpCall['verb']>;
}

export function validateOp(op: OpCall, ctx: OpContext): void {
  const handler = handlerFor(op);
  handler.validate(op as never, ctx);
  if (handler.scope === 'kernel') requireKernel(ctx, shellFor(op).join(' && '));
}
export function runOp(op: OpCall, ctx: OpContext): Promise<void> {
  return handlerFor(op).run(op as never, ctx);
}
export async function verifyOp(op: OpCall, ctx: OpContext): Promise<string | null> {
  return handlerFor(op).verify(op as never, ctx);
}
export type { OpContext } from './op-context';
