/**
 * The op registry: the only verbs the engine and the helper accept. Each op owns everything
 * about its verb — its shape, its words, its shell line, its checks, what it does and how it is
 * verified — so nothing elsewhere switches on verbs. The built-in ops are listed here; a change
 * kind may bring ops of its own (changes/change-kind.ts), and the registry of the kinds in use
 * (changes/change-registry.ts) holds both. An op whose scope is 'kernel' is refused for a tree
 * without a kernel, at validation, before any step of the plan has run.
 */
import * as z from 'zod/mini';
import { PassthruError } from '#shared/errors';
import type { OpCall } from '#shared/plan';
import { applyBootConfig } from './apply-boot-config';
import { requireKernel, type OpContext, type OpHandlerFor } from './op-context';
import { loadModule } from './load-module';
import { removePersistence, writePersistence } from './persistence';
import { probe } from './probe';
import { setDriverOverride } from './set-driver-override';
import { setVf } from './set-vf';
import { setVfioOwner } from './set-vfio-owner';
import { removeSriovPersistence, setSriovAutoprobe, setSriovNumvfs, writeSriovPersistence } from './sriov';
import { createTap, removeTap } from './tap';
import { unbind } from './unbind';

/** An op handler of any verb (the registry looks each up by the verb of the op it is given). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler is typed by its own verb; the registry only routes
export type AnyOpHandler = OpHandlerFor<any>;

export const BUILT_IN_OPS: readonly AnyOpHandler[] = [
  setDriverOverride,
  unbind,
  probe,
  loadModule,
  setVfioOwner,
  writePersistence,
  removePersistence,
  setSriovNumvfs,
  setSriovAutoprobe,
  setVf,
  writeSriovPersistence,
  removeSriovPersistence,
  applyBootConfig,
  createTap,
  removeTap,
];

export class OpRegistry {
  private readonly byVerb = new Map<string, AnyOpHandler>();
  /** Any registered op, exactly (journal files are parsed with it). */
  readonly schema: z.ZodMiniType<OpCall>;

  constructor(handlers: readonly AnyOpHandler[]) {
    for (const h of handlers) {
      if (this.byVerb.has(h.verb)) throw new PassthruError('INTERNAL', `Two ops are registered for the verb ${h.verb}.`, null);
      this.byVerb.set(h.verb, h);
    }
    const schemas = handlers.map((h) => h.schema) as unknown as [z.ZodMiniObject, ...z.ZodMiniObject[]];
    this.schema = z.discriminatedUnion('verb', schemas) as unknown as z.ZodMiniType<OpCall>;
  }

  private handlerFor(op: OpCall): AnyOpHandler {
    const verb = (op as { verb?: unknown }).verb;
    const h = typeof verb === 'string' ? this.byVerb.get(verb) : undefined;
    if (!h) throw new PassthruError('BAD_INPUT', `Unknown or unsupported operation ${JSON.stringify(verb)}.`, null);
    return h;
  }

  /** The root shell lines that do what `op` does (for plans to show; nothing runs them). */
  shellOf(op: OpCall): string[] {
    return this.handlerFor(op).shell(op);
  }

  /**
   * What `op` does, in plain words, made from the op itself. History, undo and rollback show
   * these rather than any stored text, so what a journal entry says it will do and what it does
   * cannot differ (a record could otherwise carry harmless words over a harmful op).
   */
  describe(op: OpCall): string {
    return this.handlerFor(op).describe(op);
  }

  validate(op: OpCall, ctx: OpContext): void {
    const handler = this.handlerFor(op);
    handler.validate(op, ctx);
    if (handler.scope === 'kernel') requireKernel(ctx, this.shellOf(op).join(' && '));
  }

  run(op: OpCall, ctx: OpContext): Promise<void> {
    return this.handlerFor(op).run(op, ctx);
  }

  async verify(op: OpCall, ctx: OpContext): Promise<string | null> {
    return this.handlerFor(op).verify(op, ctx);
  }
}

/** The built-in ops alone: what the ops' own tests use (the app uses its change registry's). */
export const OPS = new OpRegistry(BUILT_IN_OPS);

export type { OpContext } from './op-context';
